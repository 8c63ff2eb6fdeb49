package kernels

import "math/bits"

// Binary convolutions take packed NHWC sign images: each pixel holds
// B1Words(Cin) words. Their im2col row for an output pixel is the
// KSize*KSize pixels' words in (kh, kw) order, so a weight row has
// KSize*KSize*B1Words(Cin) words and K = KSize*KSize*Cin real signs.

// B1ConvWords is the number of words in one im2col row of s.
func (s ConvShape) B1ConvWords() int { return s.KSize * s.KSize * B1Words(s.Cin) }

// ConvB1 is a binary convolution of one packed NHWC sign image x
// [H, W, B1Words(Cin)] with sign weights w (N = Cout, K = KSize*KSize*Cin,
// Words = s.B1ConvWords()). Zero padding is exact: padded positions,
// encoded +1, are removed from the dot product with the padding mask,
//
//	dot = dot(+1 padding) - (npad - 2*popcount(W[n] AND padmask)).
//
// out receives int32 dot products [Ho*Wo, Cout].
func ConvB1(s ConvShape, x []uint64, w *B1Matrix, out []int32) error {
	const op = "ConvB1"
	if err := convB1Check(op, s, x, w); err != nil {
		return err
	}
	if err := needLen(op, "out", len(out), s.M()*s.Cout); err != nil {
		return err
	}
	convB1(s, x, w, out)
	return nil
}

// ConvB1Sign is ConvB1 followed by thresholds, producing a packed sign
// image [Ho, Wo, B1Words(Cout)] for the next binary layer. A layer run on
// many images should make a ConvB1SignPlan once instead.
func ConvB1Sign(s ConvShape, x []uint64, w *B1Matrix, th *Threshold, out []uint64) error {
	p, err := NewConvB1SignPlan(s, w, th)
	if err != nil {
		return err
	}
	return p.Run(x, out)
}

// ConvB1SignPlan is ConvB1Sign prepared for one shape, weights and
// thresholds: what the direct kernel derives from them (each channel's
// weight words and threshold as one record, the threshold constants of
// the border pixels) is computed once, so later changes to the weights
// or thresholds must not be made: the 3x3 kernel would not see them, the
// others would. Run does not modify the plan, so goroutines may share one.
type ConvB1SignPlan struct {
	s  ConvShape
	w  *B1Matrix
	th *Threshold
	p3 *b1Plan3 // the direct 3x3 kernel's, nil where it does not apply
}

// NewConvB1SignPlan checks the shapes of w and th against s and prepares
// the convolution.
func NewConvB1SignPlan(s ConvShape, w *B1Matrix, th *Threshold) (*ConvB1SignPlan, error) {
	const op = "ConvB1Sign"
	if err := convB1CheckW(op, s, w); err != nil {
		return nil, err
	}
	if th == nil || len(th.Thr) != w.N || len(th.Flip) != w.N {
		return nil, shapeErr(op, "threshold must have %d channels", w.N)
	}
	p := &ConvB1SignPlan{s: s, w: w, th: th}
	if s.KSize == 3 && s.Cin <= B1WordBits {
		sg, tt := th.linear()
		p.p3 = newB1Plan3(s, w.Data, sg, tt)
	}
	return p, nil
}

// Run convolves one packed sign image x [H, W, B1Words(Cin)] into out
// [Ho, Wo, B1Words(Cout)].
func (p *ConvB1SignPlan) Run(x, out []uint64) error {
	const op = "ConvB1Sign"
	s := p.s
	if err := needLen(op, "x", len(x), s.H*s.W*B1Words(s.Cin)); err != nil {
		return err
	}
	if err := needLen(op, "out", len(out), s.M()*B1Words(s.Cout)); err != nil {
		return err
	}
	switch {
	case convB1Fast && p.p3 != nil && b1Plan3Fast != nil:
		b1Plan3Fast(p.p3, s, x, out)
	case convB1Fast && p.p3 != nil:
		p.p3.run(s, x, out)
	case convB1Fast && s.Cin <= B1WordBits:
		sg, tt := p.th.linear()
		convB1SignDirect(s, x, p.w.Data, sg, tt, out)
	default:
		acc := make([]int32, s.M()*s.Cout)
		convB1(s, x, p.w, acc)
		p.th.pack(s.M(), s.Cout, acc, out)
	}
	return nil
}

func convB1Check(op string, s ConvShape, x []uint64, w *B1Matrix) error {
	if err := convB1CheckW(op, s, w); err != nil {
		return err
	}
	return needLen(op, "x", len(x), s.H*s.W*B1Words(s.Cin))
}

func convB1CheckW(op string, s ConvShape, w *B1Matrix) error {
	if err := s.check(op); err != nil {
		return err
	}
	if w == nil || w.N != s.Cout || w.K != s.K() || w.Words != s.B1ConvWords() {
		return shapeErr(op, "weights must be %d rows of %d words holding %d signs", s.Cout, s.B1ConvWords(), s.K())
	}
	return needLen(op, "W", len(w.Data), w.N*w.Words)
}

// padFixB1 removes the padded positions' contribution from border pixels.
func padFixB1(s ConvShape, w *B1Matrix, out []int32) {
	ho, wo := s.Out()
	p, k, cw := s.Pad(), s.KSize, B1Words(s.Cin)
	mask := make([]uint64, w.Words)
	for oy := 0; oy < ho; oy++ {
		for ox := 0; ox < wo; ox++ {
			m := oy*wo + ox
			clear(mask)
			var npad int32
			for kh := 0; kh < k; kh++ {
				iy := oy*s.Stride + kh - p
				for kx := 0; kx < k; kx++ {
					ix := ox*s.Stride + kx - p
					if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
						npad += int32(s.Cin)
						for c := 0; c < s.Cin; c++ {
							mask[(kh*k+kx)*cw+c/B1WordBits] |= 1 << (c % B1WordBits)
						}
					}
				}
			}
			if npad == 0 {
				continue
			}
			for n := 0; n < w.N; n++ {
				row := w.Data[n*w.Words : (n+1)*w.Words]
				neg := 0
				for i, mw := range mask {
					neg += bits.OnesCount64(row[i] & mw)
				}
				out[m*w.N+n] -= npad - 2*int32(neg)
			}
		}
	}
}
