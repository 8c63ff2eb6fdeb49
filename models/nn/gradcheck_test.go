package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/nn/nntest"
)

func TestConv2D_Backward(t *testing.T) {
	for _, tc := range []struct{ cin, cout, k, s, h int }{
		{3, 4, 3, 1, 5}, {3, 5, 3, 2, 6}, {2, 3, 3, 2, 7}, {4, 3, 1, 1, 4}, {1, 8, 3, 1, 28},
	} {
		rng := rand.New(rand.NewPCG(1, uint64(tc.h)))
		c := nn.NewConv2D(rng, "conv", tc.cin, tc.cout, tc.k, tc.s, 1)
		for i := range c.B.W {
			c.B.W[i] = float32(rng.NormFloat64())
		}
		x := nntest.RandT(rng, 3, tc.cin, tc.h, tc.h)
		nntest.CheckGrads(t, "conv", rng, x, c.Params(), func() *nn.T { return c.Forward(x) }, c.Backward)
	}
}

func TestGroupNorm_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	n := nn.NewGroupNorm("gn", 2, 6)
	for i := range n.Gamma.W {
		n.Gamma.W[i] = float32(1 + 0.3*rng.NormFloat64())
		n.Beta.W[i] = float32(rng.NormFloat64())
	}
	x := nntest.RandT(rng, 2, 6, 3, 3)
	nntest.CheckGrads(t, "groupnorm", rng, x, n.Params(), func() *nn.T { return n.Forward(x) }, n.Backward)
}

func TestSiLU_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	var s nn.SiLU
	x := nntest.RandT(rng, 2, 3, 4, 4)
	nntest.CheckGrads(t, "silu", rng, x, nil, func() *nn.T { return s.Forward(x) }, s.Backward)
}

func TestLinear_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	l := nn.NewLinear(rng, "lin", 7, 5, 1)
	x := nntest.RandT(rng, 3, 7, 1, 1)
	nntest.CheckGrads(t, "linear", rng, x, l.Params(), func() *nn.T { return l.Forward(x) }, l.Backward)
}

func TestUpsample2x_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var u nn.Upsample2x
	x := nntest.RandT(rng, 2, 3, 3, 3)
	nntest.CheckGrads(t, "upsample", rng, x, nil, func() *nn.T { return u.Forward(x) }, u.Backward)
}

func TestAttention_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	a := nn.NewAttention(rng, "attn", 8, 2)
	a.Proj.Wt.InitUniform(rng, 8, 1) // non-zero so every path is exercised
	x := nntest.RandT(rng, 2, 8, 3, 3)
	nntest.CheckGrads(t, "attention", rng, x, a.Params(), func() *nn.T { return a.Forward(x) }, a.Backward)
}

func TestResBlock_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	r := nn.NewResBlock(rng, "res", 4, 6, 5, 2)
	r.C2.Wt.InitUniform(rng, 54, 1)
	x := nntest.RandT(rng, 2, 4, 5, 5)
	emb := nntest.RandT(rng, 2, 5, 1, 1)
	var demb *nn.T
	nntest.CheckGrads(t, "resblock", rng, x, r.Params(), func() *nn.T { return r.Forward(x, emb) }, func(dy *nn.T) *nn.T {
		demb = nn.NewT(2, 5, 1, 1)
		return r.Backward(dy, demb)
	})
	// the embedding path, separately
	nntest.CheckGrads(t, "resblock-emb", rng, emb, nil, func() *nn.T { return r.Forward(x, emb) }, func(dy *nn.T) *nn.T {
		d := nn.NewT(2, 5, 1, 1)
		r.Backward(dy, d)
		return d
	})
	_ = demb
}

func TestSoftmaxCE_Grad(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	lg := nntest.RandT(rng, 3, 5, 1, 1)
	labels := []int{0, 4, 2}
	_, d := nn.SoftmaxCE(lg, labels)
	const eps = 1e-2
	for i := range lg.D {
		o := lg.D[i]
		lg.D[i] = o + eps
		lp, _ := nn.SoftmaxCE(lg, labels)
		lg.D[i] = o - eps
		lm, _ := nn.SoftmaxCE(lg, labels)
		lg.D[i] = o
		if num := (lp - lm) / (2 * eps); math.Abs(num-float64(d.D[i])) > 1e-3 {
			t.Fatalf("d logit %d: analytic %v numeric %v", i, d.D[i], num)
		}
	}
}
