package engine

import (
	"fmt"
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

// TestSchedule_DDIMTimestepsPow checks the spaced DDIM time steps: power 1
// is the uniform spacing, other powers descend strictly from T-1 to 0,
// and bad powers, step counts and coinciding steps are refused.
func TestSchedule_DDIMTimestepsPow(t *testing.T) {
	s := DefaultSchedule()
	for _, n := range []int{1, 2, 10, 19, 20, 21, 50, 1000} {
		ts, err := s.DDIMTimestepsPow(n, 1)
		if err != nil {
			t.Fatalf("n %d: %v", n, err)
		}
		if got, want := fmt.Sprint(ts), fmt.Sprint(s.DDIMTimesteps(n)); got != want {
			t.Errorf("n %d power 1: %s, want %s", n, got, want)
		}
	}
	for _, tc := range []struct {
		n    int
		p    float64
		tail string // the last four steps
	}{
		{20, 2, "[25 11 3 0]"},
		{20, 1.5, "[63 34 12 0]"},
		{20, 0.8, "[228 165 95 0]"},
		{10, 2, "[111 49 12 0]"},
		{3, 2, "[999 250 0]"},
	} {
		ts, err := s.DDIMTimestepsPow(tc.n, tc.p)
		if err != nil {
			t.Fatalf("n %d power %v: %v", tc.n, tc.p, err)
		}
		if len(ts) != tc.n || ts[0] != 999 {
			t.Fatalf("n %d power %v: %v", tc.n, tc.p, ts)
		}
		for i := 1; i < len(ts); i++ {
			if ts[i] >= ts[i-1] {
				t.Fatalf("n %d power %v: not descending: %v", tc.n, tc.p, ts)
			}
		}
		if got := fmt.Sprint(ts[max(len(ts)-4, 0):]); got != tc.tail {
			t.Errorf("n %d power %v: ends %s, want %s", tc.n, tc.p, got, tc.tail)
		}
	}
	for _, tc := range []struct {
		n int
		p float64
	}{{20, 0}, {20, -1}, {20, math.NaN()}, {20, math.Inf(1)}, {20, 4.5}, {0, 2}, {1001, 2}, {1000, 2}, {200, 4}} {
		if ts, err := s.DDIMTimestepsPow(tc.n, tc.p); err == nil {
			t.Errorf("n %d power %v accepted: %v", tc.n, tc.p, ts)
		}
	}
}
