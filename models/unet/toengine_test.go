package unet_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qdiff/qdiff/models/nn/nntest"
	"github.com/qdiff/qdiff/models/unet"
	"github.com/qdiff/qdiff/models/unet/unettest"
)

// engineTol bounds |engine - training forward| (same float32 math, other
// summation order and layout).
const engineTol = 2e-4

func TestUNet_ToEngine(t *testing.T) {
	u := unettest.Random(t)
	n := u.ToEngine()
	r := rand.New(rand.NewPCG(6, 6))
	x := nntest.RandT(r, 2, 1, 28, 28)
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

// TestEngineEps_MatchesUNet checks the engine adapter against the
// training forward on a batch.
func TestEngineEps_MatchesUNet(t *testing.T) {
	u := unettest.Random(t)
	e := unet.NewEngineEps(u.ToEngine())
	r := rand.New(rand.NewPCG(13, 13))
	x := nntest.RandT(r, 3, 1, 28, 28)
	ts, labels := []float64{5, 500, 990}, []int{0, 4, 10}
	want, err := u.Forward(x, ts, labels)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Forward(x, ts, labels)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.D {
		if d := got.D[i] - want.D[i]; d > engineTol*(1+abs32(want.D[i])) || -d > engineTol*(1+abs32(want.D[i])) {
			t.Fatalf("value %d: engine %v, training forward %v", i, got.D[i], want.D[i])
		}
	}
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}
