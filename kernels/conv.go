package kernels

// ConvShape describes a square-kernel 2-D convolution of one NHWC image:
// input [H, W, Cin], output [Ho, Wo, Cout], padding (KSize-1)/2 on every side.
type ConvShape struct {
	H, W, Cin, Cout, KSize, Stride int
}

// Pad is the zero padding on each side.
func (s ConvShape) Pad() int { return (s.KSize - 1) / 2 }

// Out returns the output height and width.
func (s ConvShape) Out() (int, int) {
	p := s.Pad()
	return (s.H+2*p-s.KSize)/s.Stride + 1, (s.W+2*p-s.KSize)/s.Stride + 1
}

// M, K and N are the GEMM dimensions of the convolution: output pixels,
// KSize*KSize*Cin, Cout.
func (s ConvShape) M() int { ho, wo := s.Out(); return ho * wo }

// K is the reduction length KSize*KSize*Cin.
func (s ConvShape) K() int { return s.KSize * s.KSize * s.Cin }

func (s ConvShape) check(op string) error {
	if err := positive(op, s.H, s.W, s.Cin, s.Cout, s.KSize, s.Stride); err != nil {
		return err
	}
	if s.KSize%2 == 0 || s.KSize > s.H+2*s.Pad() || s.KSize > s.W+2*s.Pad() {
		return shapeErr(op, "kernel %d does not fit a %dx%d image (odd sizes only)", s.KSize, s.H, s.W)
	}
	return nil
}

// direct reports whether the conv is a plain GEMM on the input (1x1, stride 1).
func (s ConvShape) direct() bool { return s.KSize == 1 && s.Stride == 1 }

// Im2colI8 writes the im2col matrix [Ho*Wo, KSize*KSize*Cin] of an NHWC
// int8 image, rows ordered (kh, kw, c); padded positions hold pad (the
// activation zero point, so that they are real zeros).
func Im2colI8(s ConvShape, x []int8, pad int8, col []int8) error {
	return checkedIm2col("Im2colI8", s, x, pad, col)
}

// Im2colF32 is Im2colI8 for float32 images (padding 0).
func Im2colF32(s ConvShape, x []float32, col []float32) error {
	return checkedIm2col("Im2colF32", s, x, 0, col)
}

func checkedIm2col[E int8 | float32](op string, s ConvShape, x []E, pad E, col []E) error {
	if err := s.check(op); err != nil {
		return err
	}
	if err := needLen(op, "x", len(x), s.H*s.W*s.Cin); err != nil {
		return err
	}
	if err := needLen(op, "col", len(col), s.M()*s.K()); err != nil {
		return err
	}
	im2col(s, s.Cin, x, pad, col)
	return nil
}

// im2col gathers, for each output pixel, the KSize*KSize input pixels of c
// elements each (channels, or packed sign words), pad outside the image.
// col[oy*Wo+ox, (kh*KSize+kw)*c+i] = x[oy*S+kh-P, ox*S+kw-P, i]
func im2col[E any](s ConvShape, c int, x []E, pad E, col []E) {
	ho, wo := s.Out()
	p, k := s.Pad(), s.KSize
	kk := k * k * c
	for oy := 0; oy < ho; oy++ {
		for ox := 0; ox < wo; ox++ {
			row := col[(oy*wo+ox)*kk : (oy*wo+ox+1)*kk]
			ix0 := ox*s.Stride - p
			for kh := 0; kh < k; kh++ {
				iy := oy*s.Stride + kh - p
				seg := row[kh*k*c : (kh+1)*k*c]
				if iy >= 0 && iy < s.H && ix0 >= 0 && ix0+k <= s.W {
					copy(seg, x[(iy*s.W+ix0)*c:(iy*s.W+ix0+k)*c]) // the k taps are adjacent
					continue
				}
				for kw := 0; kw < k; kw++ {
					ix := ix0 + kw
					dst := seg[kw*c : (kw+1)*c]
					if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
						for i := range dst {
							dst[i] = pad
						}
						continue
					}
					copy(dst, x[(iy*s.W+ix)*c:(iy*s.W+ix+1)*c])
				}
			}
		}
	}
}

// ConvI8 is an 8-bit convolution of one NHWC image x [H,W,Cin] with weights
// w (WT[Cout, KSize*KSize*Cin], ordered kh, kw, c), through im2col and
// GemmI8; output NHWC [Ho,Wo,Cout] in outF or outQ. col is scratch of
// M*K int8s (or nil), acc of M*Cout int32s (or nil).
func ConvI8(s ConvShape, x []int8, w *Q8Matrix, e *Epilogue, col []int8, acc []int32, outF []float32, outQ []int8) error {
	if w == nil {
		return shapeErr("ConvI8", "nil weights")
	}
	if implicitConv(s, w.panels) {
		return convPanels("ConvI8", s, x, w.N, w.K, w.panels, e, acc, w.Scale, w.ColSum, outF, outQ)
	}
	a, err := convInput("ConvI8", s, x, w.N, w.K, e, col)
	if err != nil {
		return err
	}
	return GemmI8(s.M(), a, w, e, acc, outF, outQ)
}

// ConvW4 is ConvI8 with 4-bit weights.
func ConvW4(s ConvShape, x []int8, w *Q4Matrix, e *Epilogue, col []int8, acc []int32, outF []float32, outQ []int8) error {
	if w == nil {
		return shapeErr("ConvW4", "nil weights")
	}
	if implicitConv(s, w.panels) {
		return convPanels("ConvW4", s, x, w.N, w.K, w.panels, e, acc, w.Scale, w.ColSum, outF, outQ)
	}
	a, err := convInput("ConvW4", s, x, w.N, w.K, e, col)
	if err != nil {
		return err
	}
	return GemmW4(s.M(), a, w, e, acc, outF, outQ)
}

// convInput checks an 8-bit conv and returns its GEMM operand: x itself
// for 1x1 stride-1 convs, else its im2col (into col, or a new slice).
func convInput(op string, s ConvShape, x []int8, n, k int, e *Epilogue, col []int8) ([]int8, error) {
	if err := s.check(op); err != nil {
		return nil, err
	}
	if n != s.Cout || k != s.K() {
		return nil, shapeErr(op, "weights are %dx%d, the conv needs %dx%d", n, k, s.Cout, s.K())
	}
	if err := needLen(op, "x", len(x), s.H*s.W*s.Cin); err != nil {
		return nil, err
	}
	if s.direct() {
		return x, nil
	}
	if col == nil {
		col = make([]int8, s.M()*s.K())
	}
	if err := needLen(op, "col", len(col), s.M()*s.K()); err != nil {
		return nil, err
	}
	im2col(s, s.Cin, x, int8(e.AZero), col)
	return col, nil
}
