package nn

import (
	"math/rand/v2"

	"github.com/qdiff/qdiff/kernels"
)

// Conv2D is a KxK convolution with stride 1 or 2 and padding K/2.
// Weight [Cout, Cin*K*K] (NCHW order: cin, kh, kw), bias [Cout].
type Conv2D struct {
	Cin, Cout, K, Stride int
	Wt, B                *Param

	x        *T
	cols     [][]float32 // per image im2col [Cin*K*K, Ho*Wo], nil for 1x1 stride 1
	colShape [][2]int    // input H, W that last filled cols[i]
	gw, gb   [][]float32
	dcols    [][]float32 // per worker col2im scratch [Cin*K*K, Ho*Wo]
}

// NewConv2D makes a conv with Kaiming-uniform weights; outScale scales them
// (0 gives zero init, used for the last layer of residual branches).
func NewConv2D(rng *rand.Rand, name string, cin, cout, k, stride int, outScale float64) *Conv2D {
	c := &Conv2D{Cin: cin, Cout: cout, K: k, Stride: stride,
		Wt: NewParam(name+".weight", cout, cin, k, k), B: NewParam(name+".bias", cout)}
	c.Wt.Decay = true
	c.Wt.InitUniform(rng, cin*k*k, outScale)
	return c
}

// Params lists the trainable tensors.
func (c *Conv2D) Params() []*Param { return []*Param{c.Wt, c.B} }

func (c *Conv2D) outHW(h, w int) (int, int) {
	p := c.K / 2
	return (h+2*p-c.K)/c.Stride + 1, (w+2*p-c.K)/c.Stride + 1
}

func (c *Conv2D) direct() bool { return c.K == 1 && c.Stride == 1 }

// Forward computes y = conv(x) + b.
func (c *Conv2D) Forward(x *T) *T {
	ho, wo := c.outHW(x.H, x.W)
	y := NewT(x.B, c.Cout, ho, wo)
	c.x = x
	if len(c.cols) != x.B {
		c.cols = make([][]float32, x.B)
		c.colShape = make([][2]int, x.B)
	}
	ck := c.Cin * c.K * c.K
	Parallel(x.B, func(_, i0, i1 int) {
		for i := i0; i < i1; i++ {
			col := x.Img(i)
			if !c.direct() {
				// a buffer kept from the last step at this shape keeps its zeros
				zeroed := len(c.cols[i]) == ck*ho*wo && c.colShape[i] == [2]int{x.H, x.W}
				if len(c.cols[i]) != ck*ho*wo {
					c.cols[i] = make([]float32, ck*ho*wo)
					zeroed = true
				}
				c.colShape[i] = [2]int{x.H, x.W}
				col = c.cols[i]
				im2colNCHW(x.Img(i), col, c.Cin, x.H, x.W, c.K, c.Stride, ho, wo, zeroed)
			}
			yi := y.Img(i)
			for o := 0; o < c.Cout; o++ {
				bv := c.B.W[o]
				row := yi[o*ho*wo : (o+1)*ho*wo]
				for j := range row {
					row[j] = bv
				}
			}
			kernels.GemmF32(c.Cout, ho*wo, ck, c.Wt.W, col, yi, true)
		}
	})
	return y
}

// Backward accumulates the parameter gradients and returns dx.
func (c *Conv2D) Backward(dy *T) *T {
	x := c.x
	ho, wo := dy.H, dy.W
	hw := ho * wo
	ck := c.Cin * c.K * c.K
	dx := NewT(x.B, x.C, x.H, x.W)
	c.gw = perWorker(c.gw, len(c.Wt.W))
	c.gb = perWorker(c.gb, c.Cout)
	if len(c.dcols) != max(Workers, 1) {
		c.dcols = make([][]float32, max(Workers, 1))
	}
	Parallel(x.B, func(w, i0, i1 int) {
		var dcol []float32
		if !c.direct() {
			if len(c.dcols[w]) != ck*hw {
				c.dcols[w] = make([]float32, ck*hw)
			}
			dcol = c.dcols[w]
		}
		for i := i0; i < i1; i++ {
			dyi := dy.Img(i)
			for o := 0; o < c.Cout; o++ {
				var s float32
				for _, v := range dyi[o*hw : (o+1)*hw] {
					s += v
				}
				c.gb[w][o] += s
			}
			col := x.Img(i)
			if !c.direct() {
				col = c.cols[i]
			}
			kernels.GemmF32T(false, true, c.Cout, ck, hw, dyi, col, c.gw[w], true)
			if c.direct() {
				kernels.GemmF32T(true, false, ck, hw, c.Cout, c.Wt.W, dyi, dx.Img(i), false)
			} else {
				kernels.GemmF32T(true, false, ck, hw, c.Cout, c.Wt.W, dyi, dcol, false)
				// dx is fresh from NewT, so zero
				col2imNCHW(dcol, dx.Img(i), c.Cin, x.H, x.W, c.K, c.Stride, ho, wo)
			}
		}
	})
	sumInto(c.Wt.G, c.gw)
	sumInto(c.B.G, c.gb)
	return dx
}

// validCols is the range [lo, hi) of output columns ox whose input column
// ox*s+kw-p lies inside [0, w).
func validCols(w, wo, kw, s, p int) (lo, hi int) {
	if p > kw {
		lo = (p - kw + s - 1) / s
	}
	if last := w - 1 - kw + p; last >= 0 {
		hi = min(wo, last/s+1)
	}
	return min(lo, wo), max(hi, min(lo, wo))
}

// im2colNCHW: col[(c*K+kh)*K+kw, oy*wo+ox] = x[c, oy*s+kh-p, ox*s+kw-p] (0 outside).
// With zeroed set, col's outside positions already hold 0 (a buffer fresh
// from make, or last filled by im2colNCHW at this shape) and are skipped.
func im2colNCHW(x, col []float32, cin, h, w, k, s, ho, wo int, zeroed bool) {
	p := k / 2
	hw := ho * wo
	for c := 0; c < cin; c++ {
		xc := x[c*h*w : (c+1)*h*w]
		for kh := 0; kh < k; kh++ {
			for kw := 0; kw < k; kw++ {
				row := col[((c*k+kh)*k+kw)*hw:][:hw]
				lo, hi := validCols(w, wo, kw, s, p)
				for oy := 0; oy < ho; oy++ {
					iy := oy*s + kh - p
					dst := row[oy*wo : (oy+1)*wo]
					if iy < 0 || iy >= h {
						if !zeroed {
							clear(dst)
						}
						continue
					}
					src := xc[iy*w : (iy+1)*w]
					if !zeroed {
						clear(dst[:lo])
						clear(dst[hi:])
					}
					if s == 1 && hi > lo {
						copy(dst[lo:hi], src[lo+kw-p:])
						continue
					}
					for ox := lo; ox < hi; ox++ {
						dst[ox] = src[ox*s+kw-p]
					}
				}
			}
		}
	}
}

// col2imNCHW adds col into dx (the adjoint of im2colNCHW; dx = 0 before
// gives the plain adjoint).
func col2imNCHW(col, dx []float32, cin, h, w, k, s, ho, wo int) {
	p := k / 2
	hw := ho * wo
	for c := 0; c < cin; c++ {
		xc := dx[c*h*w : (c+1)*h*w]
		for kh := 0; kh < k; kh++ {
			for kw := 0; kw < k; kw++ {
				row := col[((c*k+kh)*k+kw)*hw:][:hw]
				lo, hi := validCols(w, wo, kw, s, p)
				for oy := 0; oy < ho; oy++ {
					iy := oy*s + kh - p
					if iy < 0 || iy >= h {
						continue
					}
					src := row[oy*wo+lo : oy*wo+hi]
					dst := xc[iy*w : (iy+1)*w]
					if s == 1 && len(src) > 0 {
						dst = dst[lo+kw-p:][:len(src)]
						_ = kernels.Add(dst, src, dst) // lengths equal by construction
						continue
					}
					for i, v := range src {
						dst[(lo+i)*s+kw-p] += v
					}
				}
			}
		}
	}
}
