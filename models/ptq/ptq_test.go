package ptq

import (
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/qdiff/qdiff/models/unet"
	"github.com/qdiff/qdiff/models/unet/unettest"

	"github.com/qdiff/qdiff/models/engine"
	"github.com/qdiff/qdiff/models/st"
)

func randomInputs(n int, seed uint64) []CalibInput {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]CalibInput, n)
	for i := range out {
		x := make([]float32, 784)
		for p := range x {
			x[p] = float32(r.NormFloat64())
		}
		out[i] = CalibInput{X: x, T: r.IntN(1000), Label: r.IntN(11)}
	}
	return out
}

// TestQuantize_TracksFP calibrates on a few inputs and checks that the
// quantized nets' predictions stay close to the FP net's on other inputs,
// and that the MSE search does no worse than min-max.
func TestQuantize_TracksFP(t *testing.T) {
	fp := unettest.Random(t).ToEngine()
	calib, held := randomInputs(8, 1), randomInputs(4, 2)
	median := func(cfg PTQConfig) float64 {
		q, err := Quantize(fp, calib, cfg, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		errs, err := QuantError(fp, q, held)
		if err != nil {
			t.Fatal(err)
		}
		return errs[len(errs)/2]
	}
	w8mm := median(PTQConfig{Prec: engine.W8A8, Keep: 2})
	w8 := median(PTQConfig{Prec: engine.W8A8, Search: true, Keep: 2})
	w4 := median(PTQConfig{Prec: engine.W4A8, Search: true, Keep: 2})
	t.Logf("median relative error: W8A8 min-max %.4f, W8A8 MSE search %.4f, W4A8 %.4f", w8mm, w8, w4)
	if w8 > 0.05 || w4 > 0.3 {
		t.Errorf("quantized predictions drift: W8A8 %.3f (limit 0.05), W4A8 %.3f (limit 0.3)", w8, w4)
	}
	if w8 > 1.1*w8mm {
		t.Errorf("MSE search (%.4f) worse than min-max (%.4f)", w8, w8mm)
	}
	if _, err := Quantize(fp, nil, PTQConfig{Prec: engine.W8A8}, io.Discard); err == nil {
		t.Error("empty calibration accepted")
	}
	if _, err := Quantize(fp, calib, PTQConfig{Prec: engine.FP32}, io.Discard); err == nil {
		t.Error("FP32 target accepted")
	}
}

func TestGenerateCalibration(t *testing.T) {
	cfg := unet.UNetConfig{Size: 28, Ch: [3]int{8, 8, 8}, EmbDim: 8, TimeDim: 4, Classes: 10, Groups: 2}
	u := unet.NewUNet(cfg, 1)
	got, err := GenerateCalibration(u, unet.DefaultSchedule(), 6, 4, 3, 2, NDTC(400, 400), 1, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 {
		t.Fatalf("%d inputs", len(got))
	}
	for _, c := range got {
		if c.T < 0 || c.T > 999 || len(c.X) != 784 || c.Label < 0 || c.Label > 10 {
			t.Fatalf("bad input t=%d label=%d len=%d", c.T, c.Label, len(c.X))
		}
	}
}

// TestEngine_EncodeDecode round-trips FP32, W8A8 and W4A8 nets through
// the weights format: predictions must be bit-identical; quantized files
// hold their float parameters as F16, and quantizing leaves the FP net's
// float32 parameters alone.
func TestEngine_EncodeDecode(t *testing.T) {
	fp := unettest.Random(t).ToEngine()
	calib := randomInputs(2, 3)
	x := calib[0]
	class, bias := slices.Clone(fp.Class), slices.Clone(fp.Convs()[0].Bias)
	defer func() {
		if !slices.Equal(class, fp.Class) || !slices.Equal(bias, fp.Convs()[0].Bias) {
			t.Error("quantizing changed the FP net's parameters")
		}
	}()
	for _, prec := range []engine.Precision{engine.FP32, engine.W8A8, engine.W4A8} {
		n := fp
		if prec != engine.FP32 {
			var err error
			if n, err = Quantize(fp, calib, PTQConfig{Prec: prec, Keep: 1}, io.Discard); err != nil {
				t.Fatal(err)
			}
		}
		b, err := n.Encode(map[string]string{"qdiff.test": "1"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := engine.Decode(b)
		if err != nil {
			t.Fatalf("%v: %v", prec, err)
		}
		want, _ := n.Forward(x.X, float64(x.T), x.Label)
		got, err := m.Forward(x.X, float64(x.T), x.Label)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if want[i] != got[i] {
				t.Fatalf("%v: output %d: %v after round trip, %v before", prec, i, got[i], want[i])
			}
		}
		t.Logf("%v: %d bytes", prec, len(b))
		if f, err := st.Decode(b); err != nil {
			t.Fatal(err)
		} else if c, _ := f.Get("class"); (c.DType == "F16") != (prec != engine.FP32) {
			t.Errorf("%v: class table stored as %s", prec, c.DType)
		}
		if prec != engine.FP32 {
			odd := n.Clone()
			odd.Class = slices.Clone(n.Class)
			odd.Class[0] = 0.1 // not a binary16 value
			if _, err := odd.Encode(nil); err == nil {
				t.Errorf("%v: unrounded parameter encoded", prec)
			}
		}
		b[len(b)-1] ^= 1
		if _, err := engine.Decode(b); err == nil {
			t.Errorf("%v: corrupt file accepted", prec)
		}
	}
}

// TestQuantize_Keep8 keeps the first and last conv of a W4A8 net at int8
// weights: those layers carry Q8 weights, the rest Q4, the file holds
// in.q8 and out.q8 and decodes to the same predictions; Keep8 outside
// W4A8 or naming no layer is refused.
func TestQuantize_Keep8(t *testing.T) {
	fp := unettest.Random(t).ToEngine()
	calib := randomInputs(2, 5)
	q, err := Quantize(fp, calib, PTQConfig{Prec: engine.W4A8, Keep: 1, Keep8: []string{"in", "out"}}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range q.Convs() {
		int8Layer := c.Name == "in" || c.Name == "out"
		if (c.Q8 != nil) != int8Layer || (c.Q4 != nil) == int8Layer {
			t.Errorf("%s: Q8 %v, Q4 %v", c.Name, c.Q8 != nil, c.Q4 != nil)
		}
	}
	b, err := q.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := st.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"in.q8": true, "out.q8": true, "in.q4": false, "down0.conv1.q4": true, "down0.conv1.q8": false} {
		if _, ok := f.Get(name); ok != want {
			t.Errorf("tensor %s in the file: %v, want %v", name, ok, want)
		}
	}
	m, err := engine.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	x := calib[1]
	want, _ := q.Forward(x.X, float64(x.T), x.Label)
	got, err := m.Forward(x.X, float64(x.T), x.Label)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Error("predictions changed in the round trip")
	}
	for _, cfg := range []PTQConfig{
		{Prec: engine.W8A8, Keep8: []string{"in"}},
		{Prec: engine.W4A8, Keep8: []string{"nope"}},
		{Prec: engine.W4A8, Keep8: []string{""}},
	} {
		if _, err := Quantize(fp, calib, cfg, io.Discard); err == nil {
			t.Errorf("%v with Keep8 %q accepted", cfg.Prec, cfg.Keep8)
		}
	}
}
