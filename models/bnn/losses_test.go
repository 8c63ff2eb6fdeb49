package bnn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/nn/nntest"
)

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

func stagesT(rng *rand.Rand, b int, c [3]int) [3]*nn.T {
	return [3]*nn.T{nntest.RandT(rng, b, c[0], 4, 4), nntest.RandT(rng, b, c[1], 2, 2), nntest.RandT(rng, b, c[2], 1, 1)}
}

func zerosLike(s [3]*nn.T) [3]*nn.T {
	var d [3]*nn.T
	for i, x := range s {
		d[i] = nn.NewT(x.B, x.C, x.H, x.W)
	}
	return d
}

func TestLCRLoss_Gradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	s, tt := stagesT(rng, 2, [3]int{3, 4, 5}), stagesT(rng, 2, [3]int{3, 6, 2})
	ds := zerosLike(s)
	rt := stageRetentions(tt)
	lcrLoss(stageRetentions(s), rt, ds, 0.7)
	nntest.CheckLossGrads(t, "lcr", rng, s[:], ds[:], func() float64 { return lcrLoss(stageRetentions(s), rt, zerosLike(s), 0.7) })
}

func TestLipschitzLoss_Gradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	s, tt := stagesT(rng, 2, [3]int{3, 4, 5}), stagesT(rng, 2, [3]int{2, 3, 4})
	ds := zerosLike(s)
	rt := stageRetentions(tt)
	if l := lipschitzLoss(stageRetentions(s), rt, ds, 1); l <= 0 {
		t.Fatalf("loss %v between different networks", l)
	}
	nntest.CheckLossGrads(t, "lipschitz", rng, s[:], ds[:], func() float64 { return lipschitzLoss(stageRetentions(s), rt, zerosLike(s), 1) })
	// a network matched to itself has no Lipschitz gap
	if l := lipschitzLoss(stageRetentions(s), stageRetentions(s), zerosLike(s), 1); l > 1e-12 {
		t.Errorf("self loss %v", l)
	}
}

func TestKDLoss_Gradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	s, tt := nntest.RandT(rng, 3, 10, 1, 1), nntest.RandT(rng, 3, 10, 1, 1)
	_, d := kdLoss(s, tt, 4)
	nntest.CheckLossGrads(t, "kd", rng, []*nn.T{s}, []*nn.T{d}, func() float64 { l, _ := kdLoss(s, tt, 4); return l })
	if l, _ := kdLoss(tt, tt, 4); math.Abs(l) > 1e-9 {
		t.Errorf("KL of a distribution with itself %v", l)
	}
}

func TestInfoNCE_Gradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	a, b := nntest.RandT(rng, 5, 6, 1, 1), nntest.RandT(rng, 5, 6, 1, 1)
	_, da, db := infoNCE(a, b, 0.3)
	nntest.CheckLossGrads(t, "infonce", rng, []*nn.T{a, b}, []*nn.T{da, db}, func() float64 { l, _, _ := infoNCE(a, b, 0.3); return l })
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
	x := nntest.RandT(rng, 4, 3, 2, 2)
	for i, v := range x.D {
		x.D[i] = v + 3*signOf(v) // |x| > 1: sign is locally constant, STE adds nothing
	}
	h := newCMIMHeads(1, map[int]int{0: 3}, []int{0}, 0.5)
	d := nn.NewT(4, 3, 2, 2)
	h.loss([]*nn.T{x}, []*nn.T{d}, 1)
	nntest.CheckLossGrads(t, "cmim", rng, []*nn.T{x}, []*nn.T{d}, func() float64 { return h.loss([]*nn.T{x}, []*nn.T{nn.NewT(4, 3, 2, 2)}, 1) })
}
