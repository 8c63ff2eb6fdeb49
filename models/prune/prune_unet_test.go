package prune

import (
	"path/filepath"
	"testing"

	"github.com/qdiff/qdiff/models/mnist/mnisttest"
	"github.com/qdiff/qdiff/models/unet"
)

// TestNewPrunedTrainer retrains the pruned zoo U-Net a few steps with
// frequency distillation: the pruned weights stay zero in the net and in
// its average, the teacher is untouched, and a resumed run keeps the mask.
func TestNewPrunedTrainer(t *testing.T) {
	if testing.Short() {
		t.Skip("trains the U-Net for a few steps")
	}
	const fp = "../zoo/unet.fp32.safetensors"
	data := mnisttest.Test(t).Slice(0, 16)
	cfg := unet.DefaultTrain
	cfg.Batch, cfg.Steps, cfg.Warmup, cfg.LR = 4, 3, 1, 1e-3
	cfg.CkptPath = filepath.Join(t.TempDir(), "c.safetensors")
	tr, err := NewPrunedTrainer(cfg, data, fp, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Teacher == nil {
		t.Fatal("no teacher with -freq-kd 1")
	}
	teacher0 := append([]float32(nil), tr.Teacher.Params()[3].W...)
	nz0, total := tr.Mask.NonZero()
	if nz0 != total/2 {
		t.Fatalf("%d of %d weights left, want half", nz0, total)
	}
	for range cfg.Steps {
		if _, err := tr.TrainStep(); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range tr.Net.Params() {
		keep, ok := tr.Mask[p]
		if !ok {
			continue
		}
		for j, k := range keep {
			if !k && (p.W[j] != 0 || tr.EMA.Shadow[i][j] != 0) {
				t.Fatalf("%s[%d] pruned but %v (average %v)", p.Name, j, p.W[j], tr.EMA.Shadow[i][j])
			}
		}
	}
	for j, v := range tr.Teacher.Params()[3].W {
		if v != teacher0[j] {
			t.Fatal("the teacher's weights changed")
		}
	}
	if err := tr.Save(cfg.CkptPath); err != nil {
		t.Fatal(err)
	}
	again, err := NewPrunedTrainer(cfg, data, fp, 0.5, 1)
	if err != nil {
		t.Fatal(err)
	}
	if nz, _ := again.Mask.NonZero(); again.Step != cfg.Steps || nz != nz0 {
		t.Errorf("resumed at step %d with %d weights, want %d and %d", again.Step, nz, cfg.Steps, nz0)
	}
	out := filepath.Join(t.TempDir(), "pruned.safetensors")
	if err := ExportPrunedUNet(cfg.CkptPath, out, 0.5, 1); err != nil {
		t.Fatal(err)
	}
	u, f, err := unet.LoadUNet(out)
	if err != nil {
		t.Fatal(err)
	}
	if f.Meta["qdiff.pruned"] == "" || u.Params()[3].W[0] != tr.EMA.Shadow[3][0] {
		t.Errorf("export: meta %q, weights not the average", f.Meta["qdiff.pruned"])
	}
}
