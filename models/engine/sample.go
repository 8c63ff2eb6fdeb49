package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Schedule holds the cumulative noise levels of a DDPM schedule.
type Schedule struct {
	T        int
	Beta     []float64
	AlphaBar []float64
}

// LinearSchedule is the DDPM schedule with beta linear in [b0, b1].
func LinearSchedule(t int, b0, b1 float64) *Schedule {
	s := &Schedule{T: t, Beta: make([]float64, t), AlphaBar: make([]float64, t)}
	ab := 1.0
	for i := range t {
		s.Beta[i] = b0 + (b1-b0)*float64(i)/float64(t-1)
		ab *= 1 - s.Beta[i]
		s.AlphaBar[i] = ab
	}
	return s
}

// DefaultSchedule is qdiff's: T = 1000, beta from 1e-4 to 0.02.
func DefaultSchedule() *Schedule { return LinearSchedule(1000, 1e-4, 0.02) }

// DDIMTimesteps returns the descending time steps of an n-step DDIM run.
func (s *Schedule) DDIMTimesteps(n int) []int {
	if n == 1 {
		return []int{s.T - 1}
	}
	ts := make([]int, n)
	for i := range n {
		ts[i] = int(math.Round(float64(n-1-i) * float64(s.T-1) / float64(n-1)))
	}
	return ts
}

// DDIMTimestepsPow returns the descending time steps of an n-step DDIM run
// spaced as (k/(n-1))^p of T-1, k = n-1..0: p = 1 is DDIMTimesteps, p > 1
// puts more steps near t = 0 (the DDIM paper's quadratic spacing at p = 2,
// from T-1 down), p < 1 fewer. It fails when two steps would coincide or p
// is not in (0, 4].
func (s *Schedule) DDIMTimestepsPow(n int, p float64) ([]int, error) {
	if !(p > 0 && p <= 4) {
		return nil, fmt.Errorf("engine: DDIM spacing power %v outside (0, 4]", p)
	}
	if n < 1 || n > s.T {
		return nil, fmt.Errorf("engine: %d DDIM steps, want 1..%d", n, s.T)
	}
	if p == 1 || n == 1 {
		return s.DDIMTimesteps(n), nil
	}
	ts := make([]int, n)
	for i := range n {
		ts[i] = int(math.Round(math.Pow(float64(n-1-i)/float64(n-1), p) * float64(s.T-1)))
		if i > 0 && ts[i] >= ts[i-1] {
			return nil, fmt.Errorf("engine: %d DDIM steps at spacing power %v repeat time step %d", n, p, ts[i])
		}
	}
	return ts, nil
}

// GuidedEps predicts the noise of x at t for label with classifier-free
// guidance w (w == 1: the conditional prediction alone).
// The two predictions share the time embedding and the input conv,
// except while Observe is set (calibration sees every layer's input once
// per prediction).
func (n *Net) GuidedEps(x []float32, t int, label int, w float64) ([]float32, error) {
	if w == 1 {
		return n.Forward(x, float64(t), label)
	}
	var c, u []float32
	if n.Observe == nil {
		cu, err := n.forward(x, float64(t), label, n.Cfg.Classes)
		if err != nil {
			return nil, err
		}
		c, u = cu[0], cu[1]
	} else {
		var err error
		if c, err = n.Forward(x, float64(t), label); err != nil {
			return nil, err
		}
		if u, err = n.Forward(x, float64(t), n.Cfg.Classes); err != nil {
			return nil, err
		}
	}
	fw := float32(w)
	out := make([]float32, len(c))
	for i := range c {
		out[i] = u[i] + float32(fw*float32(c[i]-u[i]))
	}
	return out, nil
}

// DDIMStep moves x (in place) from time step t to tPrev (-1: the end)
// with eta = 0 and returns the clipped prediction of x0.
func (n *Net) DDIMStep(s *Schedule, x []float32, t, tPrev, label int, w float64) ([]float32, error) {
	if t < 0 || t >= s.T || tPrev >= t || tPrev < -1 {
		return nil, fmt.Errorf("engine: DDIM step from %d to %d", t, tPrev)
	}
	eps, err := n.GuidedEps(x, t, label, w)
	if err != nil {
		return nil, err
	}
	ab, abPrev := s.AlphaBar[t], 1.0
	if tPrev >= 0 {
		abPrev = s.AlphaBar[tPrev]
	}
	sa, sb := math.Sqrt(ab), math.Sqrt(1-ab)
	x0 := make([]float32, len(x))
	for i := range x {
		p0 := (float64(x[i]) - sb*float64(eps[i])) / sa
		p0 = math.Max(-1, math.Min(1, p0))
		x0[i] = float32(p0)
		e := (float64(x[i]) - sa*p0) / sb
		x[i] = float32(math.Sqrt(abPrev)*p0 + math.Sqrt(1-abPrev)*e)
	}
	return x0, nil
}

// Noise returns the starting x_T of seed: n standard normal values.
func Noise(seed uint64, n int) []float32 {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

// Generate draws one image of label with steps DDIM steps and guidance w
// from seed's noise, calling progress (if set) after each step with the
// step index and the current prediction of x0. The result is in [-1, 1].
func (n *Net) Generate(s *Schedule, seed uint64, label, steps int, w float64, progress func(step int, x0 []float32) bool) ([]float32, error) {
	if steps < 1 || steps > s.T {
		return nil, fmt.Errorf("engine: %d steps, want 1..%d", steps, s.T)
	}
	if label < 0 || label >= n.Cfg.Classes {
		return nil, fmt.Errorf("engine: digit %d outside 0..%d", label, n.Cfg.Classes-1)
	}
	x := Noise(seed, n.Cfg.Size*n.Cfg.Size)
	ts := s.DDIMTimesteps(steps)
	var x0 []float32
	for i, t := range ts {
		prev := -1
		if i+1 < len(ts) {
			prev = ts[i+1]
		}
		var err error
		if x0, err = n.DDIMStep(s, x, t, prev, label, w); err != nil {
			return nil, err
		}
		if progress != nil && !progress(i, x0) {
			return nil, ErrCanceled
		}
	}
	return x0, nil
}

// ErrCanceled is returned by Generate when progress asks to stop.
var ErrCanceled = fmt.Errorf("engine: generation canceled")

// TimeSteps runs reps guided DDIM steps (guidance 3, two forward passes
// each) after one warm-up step and returns their total nanoseconds.
func TimeSteps(n *Net, reps int) (int64, error) {
	step := benchStep(n)
	if err := step(); err != nil {
		return 0, err
	}
	t0 := time.Now()
	for i := 0; i < reps; i++ {
		if err := step(); err != nil {
			return 0, err
		}
	}
	return time.Since(t0).Nanoseconds(), nil
}

// benchStep returns the guided DDIM step that TimeSteps and ProfileSteps
// repeat: from t = 500 to 450, digit 3 (or the last class), guidance 3.
func benchStep(n *Net) func() error {
	s, x := DefaultSchedule(), Noise(1, n.Cfg.Size*n.Cfg.Size)
	label := min(3, n.Cfg.Classes-1)
	return func() error {
		_, err := n.DDIMStep(s, x, 500, 450, label, 3)
		return err
	}
}
