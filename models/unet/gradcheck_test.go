package unet_test

import (
	"math/rand/v2"
	"testing"

	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/nn/nntest"
	"github.com/qdiff/qdiff/models/unet"
)

func TestUNet_Backward(t *testing.T) {
	cfg := unet.UNetConfig{Size: 8, Ch: [3]int{4, 8, 8}, EmbDim: 8, TimeDim: 4, Classes: 3, Groups: 2}
	u := unet.NewUNet(cfg, 3)
	rng := rand.New(rand.NewPCG(8, 8))
	for _, p := range u.Params() { // leave no zero-initialised branch
		if len(p.Shape) > 1 {
			p.InitUniform(rng, p.Shape[1], 1)
		}
	}
	x := nntest.RandT(rng, 2, 1, 8, 8)
	ts, labels := []float64{3, 700}, []int{1, 3}
	nntest.CheckGrads(t, "unet", rng, x, u.Params(), func() *nn.T {
		y, err := u.Forward(x, ts, labels)
		if err != nil {
			t.Fatal(err)
		}
		return y
	}, func(dy *nn.T) *nn.T { u.Backward(dy); return nil })
}

func TestUNet_ForwardBadInput(t *testing.T) {
	u := unet.NewUNet(unet.DefaultUNet, 1)
	if _, err := u.Forward(nn.NewT(1, 1, 27, 28), []float64{1}, []int{1}); err == nil {
		t.Error("wrong size accepted")
	}
	if _, err := u.Forward(nn.NewT(1, 1, 28, 28), []float64{1}, []int{11}); err == nil {
		t.Error("label 11 accepted")
	}
}

func TestUNet_Size(t *testing.T) {
	u := unet.NewUNet(unet.DefaultUNet, 1)
	n, f := u.NumParams(), unet.UNetFLOPs(unet.DefaultUNet)
	t.Logf("params %d, forward %.1f MFLOP", n, f/1e6)
	if n > 1_500_000 || f > 0.5e9 {
		t.Errorf("U-Net has %d params and %.0f FLOP, limits 1.5M and 0.5G", n, f)
	}
}
