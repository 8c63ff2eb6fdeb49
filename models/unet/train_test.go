package unet

import (
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/qdiff/qdiff/models/mnist/mnisttest"
	"github.com/qdiff/qdiff/models/nn"
)

// TestTrainer_LossFalls trains a few steps on a fixed small batch of MNIST
// test digits and checks that the loss falls, then that a checkpoint
// resumes to the same state.
func TestTrainer_LossFalls(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	data := mnisttest.Test(t).Slice(0, 16)
	cfg := DefaultTrain
	cfg.Batch, cfg.Steps, cfg.Warmup, cfg.LR = 8, 30, 3, 2e-3
	cfg.CkptPath = filepath.Join(t.TempDir(), "c.safetensors")
	tr, err := NewTrainer(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	var first, last float64
	for i := range cfg.Steps {
		l, err := tr.TrainStep()
		if err != nil {
			t.Fatal(err)
		}
		if i < 5 {
			first += l / 5
		}
		if i >= cfg.Steps-5 {
			last += l / 5
		}
	}
	t.Logf("mean loss of the first 5 steps %.3f, last 5 %.3f", first, last)
	if last > 0.7*first {
		t.Errorf("loss did not fall: %.3f -> %.3f", first, last)
	}
	if err := tr.Save(cfg.CkptPath); err != nil {
		t.Fatal(err)
	}
	again, err := NewTrainer(cfg, data)
	if err != nil {
		t.Fatal(err)
	}
	if again.Step != tr.Step || again.Opt.Step != tr.Opt.Step {
		t.Fatalf("resumed at step %d/%d, want %d/%d", again.Step, again.Opt.Step, tr.Step, tr.Opt.Step)
	}
	a, b := tr.rng.Uint64(), again.rng.Uint64()
	if a != b {
		t.Error("RNG state not restored")
	}
	if tr.Net.Params()[5].W[3] != again.Net.Params()[5].W[3] || tr.EMA.Shadow[5][3] != again.EMA.Shadow[5][3] {
		t.Error("weights or EMA not restored")
	}
	_ = io.Discard
}

func TestSchedule_Sample(t *testing.T) {
	cfg := UNetConfig{Size: 8, Ch: [3]int{4, 8, 8}, EmbDim: 8, TimeDim: 4, Classes: 3, Groups: 2}
	u := NewUNet(cfg, 1)
	s := DefaultSchedule()
	steps := 0
	x, err := s.Sample(u, 8, []int{0, 2}, 3, SampleOptions{Steps: 5, Guidance: 2, Progress: func(i, n int, _ *nn.T) { steps = n }}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if x.B != 2 || steps != 5 {
		t.Fatalf("shape %s, %d steps", x.Shape(), steps)
	}
	for _, v := range x.D {
		if v < -1 || v > 1 {
			t.Fatalf("sample %v outside [-1, 1]", v)
		}
	}
	if _, err := s.Sample(u, 8, []int{0}, 3, SampleOptions{Steps: 0}, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("0 steps accepted")
	}
	if _, err := s.Sample(u, 8, []int{0}, 3, SampleOptions{Steps: 5, Spacing: 2}, rand.New(rand.NewPCG(1, 1))); err != nil {
		t.Errorf("spacing 2: %v", err)
	}
	if _, err := s.Sample(u, 8, []int{0}, 3, SampleOptions{Steps: 1000, Spacing: 2}, rand.New(rand.NewPCG(1, 1))); err == nil {
		t.Error("1000 steps at spacing 2 (repeated time steps) accepted")
	}
	if ts := s.DDIMTimesteps(4); ts[0] != 999 || ts[3] != 0 {
		t.Errorf("DDIM steps %v", ts)
	}
}
