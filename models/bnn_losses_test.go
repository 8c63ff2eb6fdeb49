package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// lossTol is the relative tolerance of the central differences below.
const lossTol = 2e-3

// fdCheck compares the analytic directional derivative of loss along a
// random direction of each tensor with a central difference.
func fdCheck(t *testing.T, name string, rng *rand.Rand, xs []*T, grads []*T, loss func() float64) {
	t.Helper()
	for k, x := range xs {
		v := make([]float32, len(x.D))
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		want := dot(grads[k].D, v)
		const h = 1e-3
		orig := append([]float32(nil), x.D...)
		for i := range x.D {
			x.D[i] = orig[i] + h*v[i]
		}
		lp := loss()
		for i := range x.D {
			x.D[i] = orig[i] - h*v[i]
		}
		lm := loss()
		copy(x.D, orig)
		got := (lp - lm) / (2 * h)
		if math.Abs(got-want) > lossTol*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: tensor %d: analytic %.6g, numeric %.6g", name, k, want, got)
		}
	}
}

func TestSpecNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	// a = 5 u1 v1^T + 2 u2 v2^T with orthonormal u's and v's
	u1, u2 := []float64{0.6, 0.8, 0}, []float64{-0.8, 0.6, 0}
	v1, v2 := []float64{1, 0, 0, 0}, []float64{0, 0, 1, 0}
	a := make([]float64, 12)
	for i := 0; i < 3; i++ {
		for j := 0; j < 4; j++ {
			a[i*4+j] = 5*u1[i]*v1[j] + 2*u2[i]*v2[j]
		}
	}
	if s, _, _ := specNorm(a, 3, 4); math.Abs(s-5) > 1e-9 {
		t.Errorf("sigma %v, want 5", s)
	}
	if s, _, _ := specNorm(make([]float64, 6), 2, 3); s != 0 {
		t.Errorf("zero matrix: sigma %v", s)
	}
	_ = rng
}

func stagesT(rng *rand.Rand, b int, c [3]int) [3]*T {
	return [3]*T{randT(rng, b, c[0], 4, 4), randT(rng, b, c[1], 2, 2), randT(rng, b, c[2], 1, 1)}
}

func zerosLike(s [3]*T) [3]*T {
	var d [3]*T
	for i, x := range s {
		d[i] = NewT(x.B, x.C, x.H, x.W)
	}
	return d
}

func TestLCRLoss_Gradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	s, tt := stagesT(rng, 2, [3]int{3, 4, 5}), stagesT(rng, 2, [3]int{3, 6, 2})
	ds := zerosLike(s)
	rt := stageRetentions(tt)
	lcrLoss(stageRetentions(s), rt, ds, 0.7)
	fdCheck(t, "lcr", rng, s[:], ds[:], func() float64 { return lcrLoss(stageRetentions(s), rt, zerosLike(s), 0.7) })
}

func TestLipschitzLoss_Gradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	s, tt := stagesT(rng, 2, [3]int{3, 4, 5}), stagesT(rng, 2, [3]int{2, 3, 4})
	ds := zerosLike(s)
	rt := stageRetentions(tt)
	if l := lipschitzLoss(stageRetentions(s), rt, ds, 1); l <= 0 {
		t.Fatalf("loss %v between different networks", l)
	}
	fdCheck(t, "lipschitz", rng, s[:], ds[:], func() float64 { return lipschitzLoss(stageRetentions(s), rt, zerosLike(s), 1) })
	// a network matched to itself has no Lipschitz gap
	if l := lipschitzLoss(stageRetentions(s), stageRetentions(s), zerosLike(s), 1); l > 1e-12 {
		t.Errorf("self loss %v", l)
	}
}

func TestKDLoss_Gradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	s, tt := randT(rng, 3, 10, 1, 1), randT(rng, 3, 10, 1, 1)
	_, d := kdLoss(s, tt, 4)
	fdCheck(t, "kd", rng, []*T{s}, []*T{d}, func() float64 { l, _ := kdLoss(s, tt, 4); return l })
	if l, _ := kdLoss(tt, tt, 4); math.Abs(l) > 1e-9 {
		t.Errorf("KL of a distribution with itself %v", l)
	}
}

func TestInfoNCE_Gradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	a, b := randT(rng, 5, 6, 1, 1), randT(rng, 5, 6, 1, 1)
	_, da, db := infoNCE(a, b, 0.3)
	fdCheck(t, "infonce", rng, []*T{a, b}, []*T{da, db}, func() float64 { l, _, _ := infoNCE(a, b, 0.3); return l })
	// aligned pairs score lower than shuffled ones
	aligned, _, _ := infoNCE(a, a, 0.3)
	random, _, _ := infoNCE(a, b, 0.3)
	if aligned >= random {
		t.Errorf("aligned pairs %v, unrelated %v", aligned, random)
	}
}

// TestCMIMHeads_Loss checks the gradient of the FP branch (activations
// away from the sign's straight-through window change only a_F).
func TestCMIMHeads_Loss(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	x := randT(rng, 4, 3, 2, 2)
	for i, v := range x.D {
		x.D[i] = v + 3*signOf(v) // |x| > 1: sign is locally constant, STE adds nothing
	}
	h := newCMIMHeads(1, map[int]int{0: 3}, []int{0}, 0.5)
	d := NewT(4, 3, 2, 2)
	h.loss([]*T{x}, []*T{d}, 1)
	fdCheck(t, "cmim", rng, []*T{x}, []*T{d}, func() float64 { return h.loss([]*T{x}, []*T{NewT(4, 3, 2, 2)}, 1) })
}
