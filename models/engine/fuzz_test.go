package engine

import (
	"math/rand/v2"
	"testing"

	"github.com/qdiff/qdiff/kernels"
	"github.com/qdiff/qdiff/models/st"
)

// tinyFile encodes a small random net of precision prec (channels 2/4/4):
// a fuzz seed of a few kilobytes, so mutations reach every part of it.
func tinyFile(t testing.TB, prec Precision) []byte {
	t.Helper()
	n, err := New(Config{Size: 28, EmbDim: 8, TimeDim: 4, Classes: 2, Groups: 2, Ch: [3]int{2, 4, 4}})
	if err != nil {
		t.Fatal(err)
	}
	n.Prec = prec
	r := rand.New(rand.NewPCG(1, 2))
	fill := func(v []float32) []float32 {
		for i := range v {
			v[i] = float32(0.1 * r.NormFloat64())
		}
		return v
	}
	fill(n.Class)
	for _, g := range sortedNorms(n) {
		fill(g.Gamma)
		fill(g.Beta)
	}
	for _, c := range n.Convs() {
		c.Bias = fill(make([]float32, c.Cout))
		sc := make([]float32, c.Cout)
		for i := range sc {
			sc[i] = 0.01
		}
		wt := make([]int8, c.Cout*c.K())
		for i := range wt {
			wt[i] = int8(r.IntN(15) - 7)
		}
		switch prec {
		case FP32:
			c.WF = fill(make([]float32, c.K()*c.Cout))
		case W8A8:
			c.Q8, err = kernels.NewQ8Matrix(c.Cout, c.K(), wt, sc)
		case W4A8:
			c.Q4, err = kernels.PackQ4(c.Cout, c.K(), wt, sc)
		}
		if err != nil {
			t.Fatal(err)
		}
		c.In = QParam{Scale: 0.02, Zero: -3}
	}
	a := n.MA
	a.Q, a.K, a.V, a.P = QParam{Scale: 0.1}, QParam{Scale: 0.1}, QParam{Scale: 0.1}, QParam{Scale: 1.0 / 127}
	n.RoundParamsF16()
	b, err := n.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzDecode: whatever the bytes, Decode returns a net or a bounded error,
// and a net it returns takes a denoising step without a panic. Each input
// is tried as is and with its hash recomputed (st.Rehash), so mutations
// reach the engine's checks rather than stopping at the hash. The seeds
// are tiny FP32, W8A8 and W4A8 files; testdata/fuzz keeps the corpus.
func FuzzDecode(f *testing.F) {
	for _, p := range []Precision{FP32, W8A8, W4A8} {
		f.Add(tinyFile(f, p))
	}
	sched := DefaultSchedule()
	x := Noise(1, 784)
	f.Fuzz(func(t *testing.T, b []byte) {
		try := func(b []byte) {
			n, err := Decode(b)
			if err != nil {
				if len(err.Error()) > 1024 {
					t.Fatalf("%d-byte error message", len(err.Error()))
				}
				return
			}
			if _, err := n.DDIMStep(sched, x, 500, 400, 1, 2); err != nil {
				t.Logf("step: %v", err)
			}
		}
		try(b)
		if rb, err := st.Rehash(b); err == nil {
			try(rb)
		}
	})
}

// TestTinyFile_Decodes: the fuzz seeds are valid files, so the fuzzer
// starts from inputs that pass every check.
func TestTinyFile_Decodes(t *testing.T) {
	for _, p := range []Precision{FP32, W8A8, W4A8} {
		if _, err := Decode(tinyFile(t, p)); err != nil {
			t.Errorf("%v: %v", p, err)
		}
	}
}
