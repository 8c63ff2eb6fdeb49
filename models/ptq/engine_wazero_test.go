package ptq

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/qdiff/qdiff/models/unet/unettest"

	"github.com/qdiff/qdiff/kernels/wazerotest"
	"github.com/qdiff/qdiff/models/engine"
)

// fp32StepTol bounds |wasm - native| / (1 + |native|) of an FP32 step: the
// GEMMs differ (SIMD128 versus AVX2 FMA, other summation order), so FP32
// is close, not bit-exact; the random test net amplifies differences.
const fp32StepTol = 2e-3

// TestEngine_WasmStep runs a whole guided DDIM denoising step of the
// engine natively (reference integer kernels) and as the wasip1 SIMD build
// under wazero: W8A8 and W4A8 results must be bit-identical.
func TestEngine_WasmStep(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a wasm module")
	}
	ctx := context.Background()
	dir := t.TempDir()
	mod := wazerotest.BuildForTest(t, "github.com/qdiff/qdiff/models/engine/guest", dir)
	var err error
	fp := unettest.Random(t).ToEngine()
	calib := randomInputs(4, 4)
	for _, c := range []struct {
		name  string
		prec  engine.Precision
		keep8 []string
	}{
		{"w8a8", engine.W8A8, nil},
		{"w4a8", engine.W4A8, nil},
		{"w4a8 with int8 in and out", engine.W4A8, []string{"in", "out"}},
		{"fp32", engine.FP32, nil},
	} {
		prec := c.prec
		n := fp
		if prec != engine.FP32 {
			if n, err = Quantize(fp, calib, PTQConfig{Prec: prec, Search: true, Keep: 1, Keep8: c.keep8}, io.Discard); err != nil {
				t.Fatal(err)
			}
		}
		b, err := n.Encode(nil)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".safetensors")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		const seed, tt, prev, label, w = 7, 999, 949, 3, 2.5
		x := engine.Noise(seed, 784)
		x0, err := n.DDIMStep(engine.DefaultSchedule(), x, tt, prev, label, w)
		if err != nil {
			t.Fatal(err)
		}
		want := append(x, x0...)
		var out, errb bytes.Buffer
		err = mod.Run(ctx, wazerotest.Config{Args: []string{"step", path, "7", "999", "949", "3", "2.5"}, Stdout: &out, Stderr: &errb})
		if err != nil {
			t.Fatalf("%s: guest: %v\n%s", c.name, err, errb.String())
		}
		if out.Len() != 4*len(want) {
			t.Fatalf("%s: guest wrote %d bytes, want %d", c.name, out.Len(), 4*len(want))
		}
		var worst float64
		for i, v := range want {
			g := math.Float32frombits(binary.LittleEndian.Uint32(out.Bytes()[4*i:]))
			d := math.Abs(float64(g-v)) / (1 + math.Abs(float64(v)))
			worst = math.Max(worst, d)
			if prec != engine.FP32 && g != v {
				t.Fatalf("%s: value %d: wasm %v, native %v (must be bit-identical)", c.name, i, g, v)
			}
		}
		if worst > fp32StepTol {
			t.Errorf("%s: wasm and native differ by %g", c.name, worst)
		}
		t.Logf("%s: one guided DDIM step, max |wasm - native| / (1 + |native|) = %g", c.name, worst)
	}
}
