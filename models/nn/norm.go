package nn

import "math"

// GroupNorm normalizes each group of C/G channels of each image to zero
// mean and unit variance, then applies a per-channel affine map.
type GroupNorm struct {
	G, C        int
	Eps         float32
	Gamma, Beta *Param

	xhat   *T
	rstd   []float32 // [B*G]
	gg, gb [][]float32
}

// NewGroupNorm makes a GroupNorm with gamma = 1, beta = 0.
func NewGroupNorm(name string, groups, c int) *GroupNorm {
	n := &GroupNorm{G: groups, C: c, Eps: 1e-5,
		Gamma: NewParam(name+".weight", c), Beta: NewParam(name+".bias", c)}
	n.Gamma.Fill(1)
	return n
}

// Params lists the trainable tensors.
func (n *GroupNorm) Params() []*Param { return []*Param{n.Gamma, n.Beta} }

// Forward normalizes x.
func (n *GroupNorm) Forward(x *T) *T {
	y := NewT(x.B, x.C, x.H, x.W)
	n.xhat = NewT(x.B, x.C, x.H, x.W)
	n.rstd = make([]float32, x.B*n.G)
	cpg := n.C / n.G
	hw := x.H * x.W
	Parallel(x.B, func(_, i0, i1 int) {
		for i := i0; i < i1; i++ {
			xi, yi, hi := x.Img(i), y.Img(i), n.xhat.Img(i)
			for g := 0; g < n.G; g++ {
				seg := xi[g*cpg*hw : (g+1)*cpg*hw]
				s, ss := sumSq(seg)
				cnt := float64(len(seg))
				mean := s / cnt
				vr := math.Max(ss/cnt-mean*mean, 0)
				r := float32(1 / math.Sqrt(vr+float64(n.Eps)))
				n.rstd[i*n.G+g] = r
				m := float32(mean)
				for c := g * cpg; c < (g+1)*cpg; c++ {
					ga, be := n.Gamma.W[c], n.Beta.W[c]
					for j := c * hw; j < (c+1)*hw; j++ {
						h := (xi[j] - m) * r
						hi[j] = h
						yi[j] = h*ga + be
					}
				}
			}
		}
	})
	return y
}

// Backward accumulates gamma/beta gradients and returns dx.
func (n *GroupNorm) Backward(dy *T) *T {
	dx := NewT(dy.B, dy.C, dy.H, dy.W)
	cpg := n.C / n.G
	hw := dy.H * dy.W
	n.gg = perWorker(n.gg, n.C)
	n.gb = perWorker(n.gb, n.C)
	Parallel(dy.B, func(w, i0, i1 int) {
		for i := i0; i < i1; i++ {
			dyi, hi, dxi := dy.Img(i), n.xhat.Img(i), dx.Img(i)
			for g := 0; g < n.G; g++ {
				var sd, sdh float64
				for c := g * cpg; c < (g+1)*cpg; c++ {
					ga := n.Gamma.W[c]
					var gsum, bsum float32
					for j := c * hw; j < (c+1)*hw; j++ {
						gsum += dyi[j] * hi[j]
						bsum += dyi[j]
						d := dyi[j] * ga
						sd += float64(d)
						sdh += float64(d * hi[j])
					}
					n.gg[w][c] += gsum
					n.gb[w][c] += bsum
				}
				cnt := float64(cpg * hw)
				md, mdh := float32(sd/cnt), float32(sdh/cnt)
				r := n.rstd[i*n.G+g]
				for c := g * cpg; c < (g+1)*cpg; c++ {
					ga := n.Gamma.W[c]
					for j := c * hw; j < (c+1)*hw; j++ {
						dxi[j] = r * (dyi[j]*ga - md - hi[j]*mdh)
					}
				}
			}
		}
	})
	sumInto(n.Gamma.G, n.gg)
	sumInto(n.Beta.G, n.gb)
	return dx
}

// sumSq returns the sum and the sum of squares of v in float64, four
// partial sums each (one chain was bound by the add latency).
func sumSq(v []float32) (s, ss float64) {
	var s0, s1, s2, s3, q0, q1, q2, q3 float64
	n4 := len(v) &^ 3
	for i := 0; i < n4; i += 4 {
		a, b, c, d := float64(v[i]), float64(v[i+1]), float64(v[i+2]), float64(v[i+3])
		s0, s1, s2, s3 = s0+a, s1+b, s2+c, s3+d
		q0, q1, q2, q3 = q0+a*a, q1+b*b, q2+c*c, q3+d*d
	}
	for _, x := range v[n4:] {
		s0 += float64(x)
		q0 += float64(x) * float64(x)
	}
	return (s0 + s1) + (s2 + s3), (q0 + q1) + (q2 + q3)
}
