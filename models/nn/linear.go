package nn

import (
	"math"
	"math/rand/v2"

	"github.com/qdiff/qdiff/kernels"
)

// Linear is y = x W + b on vectors: x [B, In] (a T with H = W = 1),
// weight [In, Out], bias [Out].
type Linear struct {
	In, Out int
	Wt, B   *Param
	x       *T
}

// NewLinear makes a linear layer with Kaiming-uniform weights times scale.
func NewLinear(rng *rand.Rand, name string, in, out int, scale float64) *Linear {
	l := &Linear{In: in, Out: out, Wt: NewParam(name+".weight", in, out), B: NewParam(name+".bias", out)}
	l.Wt.Decay = true
	l.Wt.InitUniform(rng, in, scale)
	return l
}

// Params lists the trainable tensors.
func (l *Linear) Params() []*Param { return []*Param{l.Wt, l.B} }

// Forward computes x W + b.
func (l *Linear) Forward(x *T) *T {
	l.x = x
	y := NewT(x.B, l.Out, 1, 1)
	for i := 0; i < x.B; i++ {
		copy(y.D[i*l.Out:(i+1)*l.Out], l.B.W)
	}
	kernels.GemmF32(x.B, l.Out, l.In, x.D, l.Wt.W, y.D, true)
	return y
}

// Backward accumulates gradients and returns dx.
func (l *Linear) Backward(dy *T) *T {
	b := dy.B
	kernels.GemmF32T(true, false, l.In, l.Out, b, l.x.D, dy.D, l.Wt.G, true)
	for i := 0; i < b; i++ {
		for o := 0; o < l.Out; o++ {
			l.B.G[o] += dy.D[i*l.Out+o]
		}
	}
	dx := NewT(b, l.In, 1, 1)
	kernels.GemmF32T(false, true, b, l.In, l.Out, dy.D, l.Wt.W, dx.D, false)
	return dx
}

// TimeEmbedding returns the sinusoidal embedding [len(ts), dim] of time
// steps: sin(t f_i) for the first half, cos(t f_i) for the second, with
// f_i = 10000^(-i/(dim/2)).
func TimeEmbedding(ts []float64, dim int) *T {
	e := NewT(len(ts), dim, 1, 1)
	half := dim / 2
	for b, t := range ts {
		for i := 0; i < half; i++ {
			f := math.Exp(-math.Log(10000) * float64(i) / float64(half))
			e.D[b*dim+i] = float32(math.Sin(t * f))
			e.D[b*dim+half+i] = float32(math.Cos(t * f))
		}
	}
	return e
}

// Embedding is a lookup table [N, Dim].
type Embedding struct {
	N, Dim int
	Wt     *Param
	idx    []int
}

// NewEmbedding makes a table with N(0, 1)-ish uniform entries.
func NewEmbedding(rng *rand.Rand, name string, n, dim int) *Embedding {
	e := &Embedding{N: n, Dim: dim, Wt: NewParam(name+".weight", n, dim)}
	e.Wt.InitUniform(rng, 1, 1)
	return e
}

// Params lists the trainable tensors.
func (e *Embedding) Params() []*Param { return []*Param{e.Wt} }

// Forward looks up rows idx.
func (e *Embedding) Forward(idx []int) *T {
	e.idx = idx
	y := NewT(len(idx), e.Dim, 1, 1)
	for b, i := range idx {
		copy(y.D[b*e.Dim:(b+1)*e.Dim], e.Wt.W[i*e.Dim:(i+1)*e.Dim])
	}
	return y
}

// Backward accumulates into the looked-up rows.
func (e *Embedding) Backward(dy *T) {
	for b, i := range e.idx {
		g := e.Wt.G[i*e.Dim : (i+1)*e.Dim]
		for j, v := range dy.D[b*e.Dim : (b+1)*e.Dim] {
			g[j] += v
		}
	}
}
