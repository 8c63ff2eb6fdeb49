package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestFrechetDistance(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	gen := func(n int, mu, sd float64) [][]float64 {
		out := make([][]float64, n)
		for i := range out {
			out[i] = []float64{mu + sd*r.NormFloat64(), mu + sd*r.NormFloat64(), sd * r.NormFloat64()}
		}
		return out
	}
	a, _ := Stats(gen(20000, 0, 1))
	b, _ := Stats(gen(20000, 0, 1))
	c, _ := Stats(gen(20000, 1, 2))
	same, _ := FrechetDistance(a, b)
	far, _ := FrechetDistance(a, c)
	// closed form for diagonal covariances: 2*1^2 + 3*(1-2)^2 = 5
	if same > 0.01 || math.Abs(far-5) > 0.15 {
		t.Errorf("FD same %.4f (want ~0), shifted %.4f (want ~5)", same, far)
	}
}

func TestSymSqrt(t *testing.T) {
	m := []float64{4, 1, 0, 1, 3, 0.5, 0, 0.5, 2}
	s := symSqrt(m, 3)
	p := matMul(s, s, 3)
	for i := range m {
		if math.Abs(p[i]-m[i]) > 1e-9 {
			t.Fatalf("sqrt^2 = %v, want %v", p, m)
		}
	}
}

func TestInceptionScoreAnalogue(t *testing.T) {
	sharp := [][]float64{{1, 0}, {0, 1}}
	flat := [][]float64{{0.5, 0.5}, {0.5, 0.5}}
	if is := InceptionScoreAnalogue(sharp); math.Abs(is-2) > 1e-9 {
		t.Errorf("confident balanced: %v, want 2", is)
	}
	if is := InceptionScoreAnalogue(flat); math.Abs(is-1) > 1e-9 {
		t.Errorf("uncertain: %v, want 1", is)
	}
}
