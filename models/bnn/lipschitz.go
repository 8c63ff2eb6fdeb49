package bnn

import (
	"math"

	"github.com/qdiff/qdiff/models/nn"

	"github.com/qdiff/qdiff/kernels"
)

// powerIters is the number of power iterations per spectral norm; the
// retention matrices are at most 128x128, where 30 iterations from a fixed
// start converge to well under 1e-4 relative error in practice.
const powerIters = 30

// specNorm returns the largest singular value of a [m,n] (row major) and
// its left and right singular vectors, by power iteration on a^T a.
func specNorm(a []float64, m, n int) (sigma float64, u, v []float64) {
	v = make([]float64, n)
	for j := range v {
		v[j] = 1 / math.Sqrt(float64(n)) * (1 + 0.01*float64(j%7))
	}
	u = make([]float64, m)
	for it := 0; it < powerIters; it++ {
		for i := 0; i < m; i++ {
			var s float64
			for j, x := range a[i*n : (i+1)*n] {
				s += x * v[j]
			}
			u[i] = s
		}
		if normalize(u) == 0 {
			return 0, u, v
		}
		clear(v)
		for i := 0; i < m; i++ {
			for j, x := range a[i*n : (i+1)*n] {
				v[j] += x * u[i]
			}
		}
		sigma = normalize(v)
		if sigma == 0 {
			return 0, u, v
		}
	}
	return sigma, u, v
}

func normalize(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	s = math.Sqrt(s)
	if s > 0 {
		for i := range x {
			x[i] /= s
		}
	}
	return s
}

// retention is the retention (LCR-BNN) or transmitting (LONDON) matrix of
// two consecutive feature maps of one image: RM = P(Fi) Fj^T / HW, where
// Fi [Ci, H'W'] is average-pooled to Fj's size [Cj, HW]; RM is [Ci, Cj].
// Its spectral norm estimates how much the block between them can stretch
// its input.
type retention struct {
	fi, fj     *nn.T
	b, ci, cj  int
	f, hw      int // pooling factor, pixels of Fj
	pooled, rm []float64
	u, v       []float64
	Sigma      float64
}

// newRetention builds the matrix of image b and its spectral norm.
func newRetention(fi, fj *nn.T, b int) *retention {
	r := &retention{fi: fi, fj: fj, b: b, ci: fi.C, cj: fj.C, f: fi.H / fj.H, hw: fj.H * fj.W}
	r.pooled = make([]float64, r.ci*r.hw)
	xi := fi.Img(b)
	inv := 1 / float64(r.f*r.f)
	for c := 0; c < r.ci; c++ {
		for y := 0; y < fi.H; y++ {
			for x := 0; x < fi.W; x++ {
				p := (y/r.f)*fj.W + x/r.f
				r.pooled[c*r.hw+p] += float64(xi[(c*fi.H+y)*fi.W+x]) * inv
			}
		}
	}
	p32 := make([]float32, len(r.pooled))
	for i, v := range r.pooled {
		p32[i] = float32(v)
	}
	rm := make([]float32, r.ci*r.cj) // P(Fi)[ci,hw] x Fj[cj,hw]^T
	kernels.GemmF32T(false, true, r.ci, r.cj, r.hw, p32, fj.Img(b), rm, false)
	r.rm = make([]float64, len(rm))
	for i, v := range rm {
		r.rm[i] = float64(v) / float64(r.hw)
	}
	r.Sigma, r.u, r.v = specNorm(r.rm, r.ci, r.cj)
	return r
}

// backward adds g * dSigma/dFi and g * dSigma/dFj (dSigma/dRM = u v^T)
// into dfi and dfj (either may be nil).
func (r *retention) backward(g float64, dfi, dfj *nn.T) {
	s := g / float64(r.hw)
	if dfj != nil {
		up := make([]float64, r.hw) // sum_a u[a] P(Fi)[a, p]
		for a := 0; a < r.ci; a++ {
			for p, x := range r.pooled[a*r.hw : (a+1)*r.hw] {
				up[p] += r.u[a] * x
			}
		}
		d := dfj.Img(r.b)
		for c := 0; c < r.cj; c++ {
			for p, x := range up {
				d[c*r.hw+p] += float32(s * r.v[c] * x)
			}
		}
	}
	if dfi != nil {
		xj := r.fj.Img(r.b)
		vx := make([]float64, r.hw) // sum_c v[c] Fj[c, p]
		for c := 0; c < r.cj; c++ {
			for p, x := range xj[c*r.hw : (c+1)*r.hw] {
				vx[p] += r.v[c] * float64(x)
			}
		}
		d := dfi.Img(r.b)
		inv := 1 / float64(r.f*r.f)
		for a := 0; a < r.ci; a++ {
			for y := 0; y < r.fi.H; y++ {
				for x := 0; x < r.fi.W; x++ {
					p := (y/r.f)*r.fj.W + x/r.f
					d[(a*r.fi.H+y)*r.fi.W+x] += float32(s * r.u[a] * vx[p] * inv)
				}
			}
		}
	}
}
