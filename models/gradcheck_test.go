package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// gradTol is the relative tolerance of float32 central differences.
const gradTol = 3e-2

func randT(rng *rand.Rand, b, c, h, w int) *T {
	t := NewT(b, c, h, w)
	for i := range t.D {
		t.D[i] = float32(rng.NormFloat64())
	}
	return t
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// checkGrads compares analytic directional derivatives of L = <fwd(), r>
// with central differences, along random directions in x and in each param.
func checkGrads(t *testing.T, name string, rng *rand.Rand, x *T, params []*Param, fwd func() *T, bwd func(dy *T) *T) {
	t.Helper()
	y := fwd()
	r := randT(rng, y.B, y.C, y.H, y.W)
	for _, p := range params {
		clear(p.G)
	}
	dx := bwd(r)
	loss := func() float64 { return dot(fwd().D, r.D) }
	const eps = 1e-2
	check := func(what string, vals []float32, grad []float32) {
		v := make([]float32, len(vals))
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		want := dot(grad, v)
		// keep the whole perturbation small for large tensors
		h := eps * math.Min(1, 10/math.Sqrt(float64(len(vals))))
		orig := append([]float32(nil), vals...)
		for i := range vals {
			vals[i] = orig[i] + float32(h)*v[i]
		}
		lp := loss()
		for i := range vals {
			vals[i] = orig[i] - float32(h)*v[i]
		}
		lm := loss()
		copy(vals, orig)
		got := (lp - lm) / (2 * h)
		if math.Abs(got-want) > gradTol*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: d/d%s: analytic %.6g, numeric %.6g", name, what, want, got)
		}
	}
	if dx != nil {
		check("x", x.D, dx.D)
	}
	for _, p := range params {
		check(p.Name, p.W, p.G)
	}
}

func TestConv2D_Backward(t *testing.T) {
	for _, tc := range []struct{ cin, cout, k, s, h int }{
		{3, 4, 3, 1, 5}, {3, 5, 3, 2, 6}, {2, 3, 3, 2, 7}, {4, 3, 1, 1, 4}, {1, 8, 3, 1, 28},
	} {
		rng := rand.New(rand.NewPCG(1, uint64(tc.h)))
		c := NewConv2D(rng, "conv", tc.cin, tc.cout, tc.k, tc.s, 1)
		for i := range c.B.W {
			c.B.W[i] = float32(rng.NormFloat64())
		}
		x := randT(rng, 3, tc.cin, tc.h, tc.h)
		checkGrads(t, "conv", rng, x, c.Params(), func() *T { return c.Forward(x) }, c.Backward)
	}
}

func TestGroupNorm_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	n := NewGroupNorm("gn", 2, 6)
	for i := range n.Gamma.W {
		n.Gamma.W[i] = float32(1 + 0.3*rng.NormFloat64())
		n.Beta.W[i] = float32(rng.NormFloat64())
	}
	x := randT(rng, 2, 6, 3, 3)
	checkGrads(t, "groupnorm", rng, x, n.Params(), func() *T { return n.Forward(x) }, n.Backward)
}

func TestSiLU_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	var s SiLU
	x := randT(rng, 2, 3, 4, 4)
	checkGrads(t, "silu", rng, x, nil, func() *T { return s.Forward(x) }, s.Backward)
}

func TestLinear_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	l := NewLinear(rng, "lin", 7, 5, 1)
	x := randT(rng, 3, 7, 1, 1)
	checkGrads(t, "linear", rng, x, l.Params(), func() *T { return l.Forward(x) }, l.Backward)
}

func TestUpsample2x_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	var u Upsample2x
	x := randT(rng, 2, 3, 3, 3)
	checkGrads(t, "upsample", rng, x, nil, func() *T { return u.Forward(x) }, u.Backward)
}

func TestAttention_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	a := NewAttention(rng, "attn", 8, 2)
	a.Proj.Wt.initUniform(rng, 8, 1) // non-zero so every path is exercised
	x := randT(rng, 2, 8, 3, 3)
	checkGrads(t, "attention", rng, x, a.Params(), func() *T { return a.Forward(x) }, a.Backward)
}

func TestResBlock_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	r := NewResBlock(rng, "res", 4, 6, 5, 2)
	r.C2.Wt.initUniform(rng, 54, 1)
	x := randT(rng, 2, 4, 5, 5)
	emb := randT(rng, 2, 5, 1, 1)
	var demb *T
	checkGrads(t, "resblock", rng, x, r.Params(), func() *T { return r.Forward(x, emb) }, func(dy *T) *T {
		demb = NewT(2, 5, 1, 1)
		return r.Backward(dy, demb)
	})
	// the embedding path, separately
	checkGrads(t, "resblock-emb", rng, emb, nil, func() *T { return r.Forward(x, emb) }, func(dy *T) *T {
		d := NewT(2, 5, 1, 1)
		r.Backward(dy, d)
		return d
	})
	_ = demb
}

func TestUNet_Backward(t *testing.T) {
	cfg := UNetConfig{Size: 8, Ch: [3]int{4, 8, 8}, EmbDim: 8, TimeDim: 4, Classes: 3, Groups: 2}
	u := NewUNet(cfg, 3)
	rng := rand.New(rand.NewPCG(8, 8))
	for _, p := range u.Params() { // leave no zero-initialised branch
		if len(p.Shape) > 1 {
			p.initUniform(rng, p.Shape[1], 1)
		}
	}
	x := randT(rng, 2, 1, 8, 8)
	ts, labels := []float64{3, 700}, []int{1, 3}
	checkGrads(t, "unet", rng, x, u.Params(), func() *T {
		y, err := u.Forward(x, ts, labels)
		if err != nil {
			t.Fatal(err)
		}
		return y
	}, func(dy *T) *T { u.Backward(dy); return nil })
}

func TestUNet_ForwardBadInput(t *testing.T) {
	u := NewUNet(DefaultUNet, 1)
	if _, err := u.Forward(NewT(1, 1, 27, 28), []float64{1}, []int{1}); err == nil {
		t.Error("wrong size accepted")
	}
	if _, err := u.Forward(NewT(1, 1, 28, 28), []float64{1}, []int{11}); err == nil {
		t.Error("label 11 accepted")
	}
}

func TestUNet_Size(t *testing.T) {
	u := NewUNet(DefaultUNet, 1)
	n, f := u.NumParams(), UNetFLOPs(DefaultUNet)
	t.Logf("params %d, forward %.1f MFLOP", n, f/1e6)
	if n > 1_500_000 || f > 0.5e9 {
		t.Errorf("U-Net has %d params and %.0f FLOP, limits 1.5M and 0.5G", n, f)
	}
}

func TestClassifier_Backward(t *testing.T) {
	c := NewClassifier(1)
	rng := rand.New(rand.NewPCG(9, 9))
	x := randT(rng, 2, 1, 28, 28)
	checkGrads(t, "classifier", rng, x, c.Params(), func() *T {
		y, err := c.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		return y
	}, func(dy *T) *T { c.Backward(dy); return nil })
}

func TestSoftmaxCE_Grad(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 10))
	lg := randT(rng, 3, 5, 1, 1)
	labels := []int{0, 4, 2}
	_, d := SoftmaxCE(lg, labels)
	const eps = 1e-2
	for i := range lg.D {
		o := lg.D[i]
		lg.D[i] = o + eps
		lp, _ := SoftmaxCE(lg, labels)
		lg.D[i] = o - eps
		lm, _ := SoftmaxCE(lg, labels)
		lg.D[i] = o
		if num := (lp - lm) / (2 * eps); math.Abs(num-float64(d.D[i])) > 1e-3 {
			t.Fatalf("d logit %d: analytic %v numeric %v", i, d.D[i], num)
		}
	}
}
