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
// image [Ho, Wo, B1Words(Cout)] for the next binary layer.
func ConvB1Sign(s ConvShape, x []uint64, w *B1Matrix, th *Threshold, out []uint64) error {
	const op = "ConvB1Sign"
	if err := convB1Check(op, s, x, w); err != nil {
		return err
	}
	if th == nil || len(th.Thr) != w.N || len(th.Flip) != w.N {
		return shapeErr(op, "threshold must have %d channels", w.N)
	}
	if err := needLen(op, "out", len(out), s.M()*B1Words(s.Cout)); err != nil {
		return err
	}
	if convB1Fast && s.Cin <= B1WordBits {
		sg, tt := th.linear()
		convB1SignDirect(s, x, w.Data, sg, tt, out)
		return nil
	}
	acc := make([]int32, s.M()*s.Cout)
	convB1(s, x, w, acc)
	th.pack(s.M(), s.Cout, acc, out)
	return nil
}

func convB1Check(op string, s ConvShape, x []uint64, w *B1Matrix) error {
	if err := s.check(op); err != nil {
		return err
	}
	if w == nil || w.N != s.Cout || w.K != s.K() || w.Words != s.B1ConvWords() {
		return shapeErr(op, "weights must be %d rows of %d words holding %d signs", s.Cout, s.B1ConvWords(), s.K())
	}
	if err := needLen(op, "W", len(w.Data), w.N*w.Words); err != nil {
		return err
	}
	return needLen(op, "x", len(x), s.H*s.W*B1Words(s.Cin))
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
