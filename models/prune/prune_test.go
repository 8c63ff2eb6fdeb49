package prune

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qdiff/qdiff/models/classifier"
	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/nn/nntest"
	"github.com/qdiff/qdiff/models/unet"
)

func TestMagnitudePrune(t *testing.T) {
	c := classifier.NewClassifier(3)
	for _, sp := range []float64{0, 0.5, 0.75, 0.9} {
		c := classifier.NewClassifier(3)
		m, err := MagnitudePrune(c.Params(), sp)
		if err != nil {
			t.Fatal(err)
		}
		for p, keep := range m {
			zeros := 0
			for i, v := range p.W {
				if v == 0 {
					zeros++
				}
				if !keep[i] && v != 0 {
					t.Fatalf("%s: pruned weight %d is %v", p.Name, i, v)
				}
			}
			if want := int(sp * float64(len(p.W))); zeros != want {
				t.Errorf("sparsity %v: %s has %d zeros, want %d", sp, p.Name, zeros, want)
			}
		}
	}
	for _, bad := range []float64{-0.1, 1, math.NaN()} {
		if _, err := MagnitudePrune(c.Params(), bad); err == nil {
			t.Errorf("sparsity %v accepted", bad)
		}
	}
}

func TestLowpass(t *testing.T) {
	const n = 7
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float64, n*n)
	var mean float64
	for i := range x {
		x[i] = rng.NormFloat64()
		mean += x[i] / (n * n)
	}
	apply := func(l []float64) []float64 {
		y := make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				for a := 0; a < n; a++ {
					for b := 0; b < n; b++ {
						y[i*n+j] += l[i*n+a] * x[a*n+b] * l[b*n+j]
					}
				}
			}
		}
		return y
	}
	for i, v := range apply(lowpass(n, n/2)) {
		if math.Abs(v-x[i]) > 1e-9 {
			t.Fatalf("all frequencies: element %d %v, want %v", i, v, x[i])
		}
	}
	for i, v := range apply(lowpass(n, 0)) {
		if math.Abs(v-mean) > 1e-9 {
			t.Fatalf("DC only: element %d %v, want the mean %v", i, v, mean)
		}
	}
}

func TestFreqKD_Gradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	s, tt := nntest.RandT(rng, 2, 3, 6, 6), nntest.RandT(rng, 2, 3, 6, 6)
	for _, r := range []float64{0, 1.5, 3} {
		ds := nn.NewT(2, 3, 6, 6)
		freqKD(s, tt, ds, r, 0.8)
		nntest.CheckLossGrads(t, "freqkd", rng, []*nn.T{s}, []*nn.T{ds}, func() float64 { return freqKD(s, tt, nn.NewT(2, 3, 6, 6), r, 0.8) })
	}
	if l := freqKD(tt, tt, nn.NewT(2, 3, 6, 6), 3, 1); l != 0 {
		t.Errorf("identical maps: loss %v", l)
	}
}

func TestPruneUNet(t *testing.T) {
	dir := t.TempDir()
	u := unet.NewUNet(unet.DefaultUNet, 2)
	in, out := dir+"/u.safetensors", dir+"/p.safetensors"
	if err := nn.SaveParams(in, u.Params(), map[string]string{"qdiff.model": "unet-ddpm-fp32"}); err != nil {
		t.Fatal(err)
	}
	nz, total, err := PruneUNet(in, out, 0.75)
	if err != nil {
		t.Fatal(err)
	}
	// at least 75% zeros (some layers start at zero, so there may be more)
	if nz > total-int(0.75*float64(total)) {
		t.Errorf("%d of %d weights left, want at most 25%%", nz, total)
	}
	p, _, err := unet.LoadUNet(out)
	if err != nil {
		t.Fatal(err)
	}
	zeros := 0
	for _, q := range p.Params() {
		if q.Decay {
			for _, v := range q.W {
				if v == 0 {
					zeros++
				}
			}
		}
	}
	if zeros != total-nz {
		t.Errorf("reloaded model has %d zero weights, want %d", zeros, total-nz)
	}
}
