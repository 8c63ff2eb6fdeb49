package engine_test

import (
	"errors"
	"testing"

	"github.com/qdiff/qdiff/models/engine"
	"github.com/qdiff/qdiff/models/unet"
)

// tinyNet is an untrained U-Net in engine form (the properties below do
// not need a good model).
func tinyNet(t *testing.T) *engine.Net {
	t.Helper()
	return unet.NewUNet(unet.DefaultUNet, 4).ToEngine()
}

func TestNet_GenerateDDPM(t *testing.T) {
	n := tinyNet(t)
	s := engine.LinearSchedule(6, 1e-4, 0.2)
	calls := 0
	a, err := n.GenerateDDPM(s, 3, 4, 2, func(int, []float32) bool { calls++; return true })
	if err != nil {
		t.Fatal(err)
	}
	if calls != s.T {
		t.Errorf("%d progress calls, want %d", calls, s.T)
	}
	b, _ := n.GenerateDDPM(s, 3, 4, 2, nil)
	c, _ := n.GenerateDDPM(s, 4, 4, 2, nil)
	same, differ := true, false
	for i := range a {
		same = same && a[i] == b[i]
		differ = differ || a[i] != c[i]
	}
	if !same || !differ {
		t.Errorf("same seed reproduces: %v; another seed differs: %v", same, differ)
	}
	if _, err := n.GenerateDDPM(s, 3, 10, 2, nil); err == nil {
		t.Error("digit 10 accepted")
	}
	if _, err := n.GenerateDDPM(s, 3, 1, 2, func(int, []float32) bool { return false }); !errors.Is(err, engine.ErrCanceled) {
		t.Errorf("cancel: %v", err)
	}
}

// TestNet_DDPMStep: the last step (t = 0) adds no noise and lands on the
// clipped prediction of x0 exactly.
func TestNet_DDPMStep(t *testing.T) {
	n := tinyNet(t)
	s := engine.DefaultSchedule()
	x := engine.Noise(5, 784)
	x0, err := n.DDPMStep(s, x, 0, 2, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range x {
		if d := x[i] - x0[i]; d > 1e-6 || d < -1e-6 {
			t.Fatalf("pixel %d: x %v, x0 %v", i, x[i], x0[i])
		}
	}
	if _, err := n.DDPMStep(s, x, s.T, 2, 1, nil); err == nil {
		t.Error("t = T accepted")
	}
}
