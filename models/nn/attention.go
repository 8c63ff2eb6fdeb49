package nn

import (
	"math"
	"math/rand/v2"
)

// Attention is single-head self-attention over the H*W positions of a
// feature map with a residual connection:
// y = x + Proj(Attn(QKV(GN(x)))).
type Attention struct {
	C         int
	Norm      *GroupNorm
	QKV, Proj *Conv2D
	qkv, p, o *T // cached: qkv [B,3C,H,W], probabilities [B,1,N,N], attention output
}

// NewAttention makes an attention block; the output projection starts at 0.
func NewAttention(rng *rand.Rand, name string, c, groups int) *Attention {
	return &Attention{C: c,
		Norm: NewGroupNorm(name+".norm", groups, c),
		QKV:  NewConv2D(rng, name+".qkv", c, 3*c, 1, 1, 1),
		Proj: NewConv2D(rng, name+".proj", c, c, 1, 1, 0)}
}

// Params lists the trainable tensors.
func (a *Attention) Params() []*Param {
	return ConcatParams(a.Norm.Params(), a.QKV.Params(), a.Proj.Params())
}

// Forward applies the block.
func (a *Attention) Forward(x *T) *T {
	h := a.Norm.Forward(x)
	a.qkv = a.QKV.Forward(h)
	n := x.H * x.W
	c := a.C
	a.p = NewT(x.B, 1, n, n)
	a.o = NewT(x.B, c, x.H, x.W)
	scale := float32(1 / math.Sqrt(float64(c)))
	Parallel(x.B, func(_, i0, i1 int) {
		for b := i0; b < i1; b++ {
			qkv := a.qkv.Img(b)
			q, k, v := qkv[:c*n], qkv[c*n:2*c*n], qkv[2*c*n:]
			p := a.p.Img(b)
			for i := 0; i < n; i++ {
				row := p[i*n : (i+1)*n]
				mx := float32(math.Inf(-1))
				for j := 0; j < n; j++ {
					var s float32
					for cc := 0; cc < c; cc++ {
						s += q[cc*n+i] * k[cc*n+j]
					}
					row[j] = s * scale
					mx = max(mx, row[j])
				}
				var sum float32
				for j := range row {
					row[j] = float32(math.Exp(float64(row[j] - mx)))
					sum += row[j]
				}
				for j := range row {
					row[j] /= sum
				}
			}
			o := a.o.Img(b)
			for cc := 0; cc < c; cc++ {
				for i := 0; i < n; i++ {
					var s float32
					for j := 0; j < n; j++ {
						s += v[cc*n+j] * p[i*n+j]
					}
					o[cc*n+i] = s
				}
			}
		}
	})
	return AddInto(a.Proj.Forward(a.o), x)
}

// Backward returns dx.
func (a *Attention) Backward(dy *T) *T {
	do := a.Proj.Backward(dy)
	n := dy.H * dy.W
	c := a.C
	dqkv := NewT(dy.B, 3*c, dy.H, dy.W)
	scale := float32(1 / math.Sqrt(float64(c)))
	Parallel(dy.B, func(_, i0, i1 int) {
		dp := make([]float32, n*n)
		for b := i0; b < i1; b++ {
			qkv, g := a.qkv.Img(b), dqkv.Img(b)
			q, k, v := qkv[:c*n], qkv[c*n:2*c*n], qkv[2*c*n:]
			dq, dk, dv := g[:c*n], g[c*n:2*c*n], g[2*c*n:]
			p, dob := a.p.Img(b), do.Img(b)
			for cc := 0; cc < c; cc++ {
				for j := 0; j < n; j++ {
					var s float32
					for i := 0; i < n; i++ {
						s += dob[cc*n+i] * p[i*n+j]
					}
					dv[cc*n+j] = s
				}
			}
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					var s float32
					for cc := 0; cc < c; cc++ {
						s += dob[cc*n+i] * v[cc*n+j]
					}
					dp[i*n+j] = s
				}
				var dot float32
				for j := 0; j < n; j++ {
					dot += p[i*n+j] * dp[i*n+j]
				}
				for j := 0; j < n; j++ {
					dp[i*n+j] = p[i*n+j] * (dp[i*n+j] - dot) * scale
				}
			}
			for cc := 0; cc < c; cc++ {
				for i := 0; i < n; i++ {
					var s float32
					for j := 0; j < n; j++ {
						s += dp[i*n+j] * k[cc*n+j]
					}
					dq[cc*n+i] = s
				}
				for j := 0; j < n; j++ {
					var s float32
					for i := 0; i < n; i++ {
						s += dp[i*n+j] * q[cc*n+i]
					}
					dk[cc*n+j] = s
				}
			}
		}
	})
	dx := a.Norm.Backward(a.QKV.Backward(dqkv))
	return AddInto(dx, dy)
}

func ConcatParams(lists ...[]*Param) []*Param {
	var out []*Param
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}
