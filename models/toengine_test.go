package models

import (
	"math"
	"math/rand/v2"
	"testing"
)

// engineTol bounds |engine - training forward| (same float32 math, other
// summation order and layout).
const engineTol = 2e-4

func randomUNet(t *testing.T) *UNet {
	t.Helper()
	u := NewUNet(DefaultUNet, 5)
	r := rand.New(rand.NewPCG(5, 5))
	for _, p := range u.Params() { // no zero-initialised branch, non-trivial norms
		if len(p.Shape) > 1 {
			p.initUniform(r, p.Shape[1], 1)
		} else {
			for i := range p.W {
				p.W[i] += float32(0.1 * r.NormFloat64())
			}
		}
	}
	return u
}

func TestUNet_ToEngine(t *testing.T) {
	u := randomUNet(t)
	n := u.ToEngine()
	r := rand.New(rand.NewPCG(6, 6))
	x := randT(r, 2, 1, 28, 28)
	ts, labels := []float64{17, 640}, []int{3, 10}
	want, err := u.Forward(x, ts, labels)
	if err != nil {
		t.Fatal(err)
	}
	for b := 0; b < 2; b++ {
		got, err := n.Forward(x.Img(b), ts[b], labels[b])
		if err != nil {
			t.Fatal(err)
		}
		var worst float64
		for i, v := range got {
			w := want.Img(b)[i]
			worst = math.Max(worst, math.Abs(float64(v-w))/(1+math.Abs(float64(w))))
		}
		if worst > engineTol {
			t.Errorf("image %d: engine differs from training forward by %.2g (relative)", b, worst)
		}
	}
	if _, err := n.Forward(make([]float32, 10), 1, 1); err == nil {
		t.Error("short input accepted")
	}
	if _, err := n.Forward(x.Img(0), 1, 11); err == nil {
		t.Error("label 11 accepted")
	}
}
