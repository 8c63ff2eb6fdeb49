package engine

import (
	"math"
	"testing"
)

// TestNet_GuidedEps checks that the guided prediction, whose two passes
// share the time embedding and the input conv, has the bits of two
// separate Forward calls combined, for every precision.
func TestNet_GuidedEps(t *testing.T) {
	for _, prec := range []Precision{FP32, W8A8, W4A8} {
		n, err := Decode(tinyFile(t, prec))
		if err != nil {
			t.Fatal(err)
		}
		x := Noise(3, n.Cfg.Size*n.Cfg.Size)
		got, err := n.GuidedEps(x, 400, 1, 3)
		if err != nil {
			t.Fatal(err)
		}
		c, err := n.Forward(x, 400, 1)
		if err != nil {
			t.Fatal(err)
		}
		u, err := n.Forward(x, 400, n.Cfg.Classes)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			want := u[i] + float32(3*(c[i]-u[i]))
			if math.Float32bits(got[i]) != math.Float32bits(want) {
				t.Fatalf("%v: eps[%d] = %v, two forwards give %v", prec, i, got[i], want)
			}
		}
		if _, err := n.GuidedEps(x, 400, n.Cfg.Classes+1, 3); err == nil {
			t.Errorf("%v: label %d accepted", prec, n.Cfg.Classes+1)
		}
	}
}

// TestProfileSteps checks that a profile counts two forward passes a
// guided step, times every conv/linear layer (the shared input conv once
// a step) and leaves the net unprofiled.
func TestProfileSteps(t *testing.T) {
	n, err := Decode(tinyFile(t, W8A8))
	if err != nil {
		t.Fatal(err)
	}
	p, err := ProfileSteps(n, 3)
	if err != nil {
		t.Fatal(err)
	}
	if n.Prof != nil {
		t.Error("net still profiled")
	}
	if p.Forwards != 6 {
		t.Errorf("%d forward passes profiled, want 6", p.Forwards)
	}
	calls := map[string]int{}
	for _, l := range p.Layers {
		calls[l.Name] = l.Calls
		if l.D <= 0 || l.Ops <= 0 {
			t.Errorf("%s: time %v, ops %v", l.Name, l.D, l.Ops)
		}
	}
	for _, c := range n.Convs() {
		want := 6
		if c == n.In || c == n.TE1 || c == n.TE2 {
			want = 3
		}
		if calls[c.Name] != want {
			t.Errorf("%s: %d calls, want %d", c.Name, calls[c.Name], want)
		}
	}
	if _, err := ProfileSteps(n, 0); err == nil {
		t.Error("a profile of 0 steps accepted")
	}
}
