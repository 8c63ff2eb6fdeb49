package nn

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// im2colRef is the plain per-element im2colNCHW: col[(c*K+kh)*K+kw, oy*wo+ox] = x[c, oy*s+kh-p, ox*s+kw-p] (0 outside).
func im2colRef(x, col []float32, cin, h, w, k, s, ho, wo int) {
	p := k / 2
	hw := ho * wo
	for c := 0; c < cin; c++ {
		xc := x[c*h*w : (c+1)*h*w]
		for kh := 0; kh < k; kh++ {
			for kw := 0; kw < k; kw++ {
				row := col[((c*k+kh)*k+kw)*hw:][:hw]
				for oy := 0; oy < ho; oy++ {
					iy := oy*s + kh - p
					dst := row[oy*wo : (oy+1)*wo]
					if iy < 0 || iy >= h {
						clear(dst)
						continue
					}
					src := xc[iy*w : (iy+1)*w]
					for ox := range dst {
						ix := ox*s + kw - p
						if ix < 0 || ix >= w {
							dst[ox] = 0
						} else {
							dst[ox] = src[ix]
						}
					}
				}
			}
		}
	}
}

// col2imRef is the plain per-element col2imNCHW: it adds col into dx (the adjoint of im2colNCHW).
func col2imRef(col, dx []float32, cin, h, w, k, s, ho, wo int) {
	p := k / 2
	hw := ho * wo
	for c := 0; c < cin; c++ {
		xc := dx[c*h*w : (c+1)*h*w]
		for kh := 0; kh < k; kh++ {
			for kw := 0; kw < k; kw++ {
				row := col[((c*k+kh)*k+kw)*hw:][:hw]
				for oy := 0; oy < ho; oy++ {
					iy := oy*s + kh - p
					if iy < 0 || iy >= h {
						continue
					}
					src := row[oy*wo : (oy+1)*wo]
					dst := xc[iy*w : (iy+1)*w]
					for ox, v := range src {
						ix := ox*s + kw - p
						if ix >= 0 && ix < w {
							dst[ix] += v
						}
					}
				}
			}
		}
	}
}

// TestConv2D_Im2col checks the span-copying im2col and col2im against
// their per-element references, exactly, over kernel sizes, strides and
// odd and even sizes.
func TestConv2D_Im2col(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, k := range []int{1, 3, 5} {
		for _, s := range []int{1, 2} {
			for _, hw := range [][2]int{{1, 1}, {2, 3}, {5, 5}, {7, 6}, {28, 28}} {
				c := &Conv2D{Cin: 3, K: k, Stride: s}
				h, w := hw[0], hw[1]
				ho, wo := c.outHW(h, w)
				x := make([]float32, 3*h*w)
				for i := range x {
					x[i] = float32(r.NormFloat64())
				}
				n := 3 * k * k * ho * wo
				got, want := make([]float32, n), make([]float32, n)
				for i := range got {
					got[i] = 9 // stale values must be overwritten
				}
				im2colNCHW(x, got, 3, h, w, k, s, ho, wo, false)
				im2colRef(x, want, 3, h, w, k, s, ho, wo)
				if !slices.Equal(got, want) {
					t.Fatalf("im2col k=%d s=%d %dx%d differs", k, s, h, w)
				}
				// refilled with other pixels, the zeros left in place
				for i := range x {
					x[i] = float32(r.NormFloat64())
				}
				im2colNCHW(x, got, 3, h, w, k, s, ho, wo, true)
				im2colRef(x, want, 3, h, w, k, s, ho, wo)
				if !slices.Equal(got, want) {
					t.Fatalf("im2col into a zeroed buffer k=%d s=%d %dx%d differs", k, s, h, w)
				}
				dgot, dwant := make([]float32, 3*h*w), make([]float32, 3*h*w)
				for i := range dgot {
					dgot[i] = float32(i % 5) // col2im adds to what is there
					dwant[i] = dgot[i]
				}
				col2imNCHW(got, dgot, 3, h, w, k, s, ho, wo)
				col2imRef(want, dwant, 3, h, w, k, s, ho, wo)
				if !slices.Equal(dgot, dwant) {
					t.Fatalf("col2im k=%d s=%d %dx%d differs", k, s, h, w)
				}
			}
		}
	}
}
