package unet

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/qdiff/qdiff/models/engine"
	"github.com/qdiff/qdiff/models/nn"
)

// Schedule is a DDPM noise schedule with T steps.
type Schedule struct {
	T        int
	Beta     []float64
	AlphaBar []float64 // prod_{s<=t} (1 - beta_s)
}

// LinearSchedule is the DDPM linear schedule beta in [b0, b1] (the
// engine's, so training and inference share one definition).
func LinearSchedule(t int, b0, b1 float64) *Schedule {
	e := engine.LinearSchedule(t, b0, b1)
	return &Schedule{T: e.T, Beta: e.Beta, AlphaBar: e.AlphaBar}
}

// DefaultSchedule is T = 1000, beta linear from 1e-4 to 0.02.
func DefaultSchedule() *Schedule { return LinearSchedule(1000, 1e-4, 0.02) }

// Noise writes x_t = sqrt(ab_t) x0 + sqrt(1 - ab_t) eps for one image.
func (s *Schedule) Noise(x0, eps, xt []float32, t int) {
	a, b := float32(math.Sqrt(s.AlphaBar[t])), float32(math.Sqrt(1-s.AlphaBar[t]))
	for i := range x0 {
		xt[i] = a*x0[i] + b*eps[i]
	}
}

// EpsModel predicts noise for a batch; Forward of UNet fits it.
type EpsModel interface {
	Forward(x *nn.T, ts []float64, labels []int) (*nn.T, error)
}

// SampleOptions configure a sampler run.
type SampleOptions struct {
	Steps    int     // DDIM steps (ignored by DDPM, which runs all T)
	Eta      float64 // DDIM eta: 0 deterministic, 1 DDPM-like
	Guidance float64 // classifier-free guidance scale w: eps = eps_u + w (eps_c - eps_u); 1 = no guidance
	DDPM     bool    // ancestral DDPM over all T steps
	// Spacing is the power of the DDIM time-step spacing (see
	// engine.Schedule.DDIMTimestepsPow); 0 means 1, the uniform spacing
	// the engine and the page use.
	Spacing float64
	// Progress, if set, is called after each step with the step index,
	// the number of steps and the current prediction of x0.
	Progress func(step, steps int, x0 *nn.T)
}

// DDIMTimesteps returns the descending time steps a DDIM run of n steps visits.
func (s *Schedule) DDIMTimesteps(n int) []int {
	return (&engine.Schedule{T: s.T}).DDIMTimesteps(n)
}

// Sample draws len(labels) images [B,1,S,S] in [-1,1] from model m.
func (s *Schedule) Sample(m EpsModel, size int, labels []int, classes int, o SampleOptions, rng *rand.Rand) (*nn.T, error) {
	b := len(labels)
	if b == 0 {
		return nil, fmt.Errorf("sample: no labels")
	}
	var ts []int
	if o.DDPM {
		ts = make([]int, s.T)
		for i := range ts {
			ts[i] = s.T - 1 - i
		}
	} else {
		if o.Steps < 1 || o.Steps > s.T {
			return nil, fmt.Errorf("sample: %d DDIM steps, want 1..%d", o.Steps, s.T)
		}
		p := o.Spacing
		if p == 0 {
			p = 1
		}
		var err error
		if ts, err = (&engine.Schedule{T: s.T}).DDIMTimestepsPow(o.Steps, p); err != nil {
			return nil, fmt.Errorf("sample: %w", err)
		}
	}
	x := nn.NewT(b, 1, size, size)
	for i := range x.D {
		x.D[i] = float32(rng.NormFloat64())
	}
	n := size * size
	x0 := nn.NewT(b, 1, size, size)
	for si, t := range ts {
		eps, err := guidedEps(m, x, t, labels, classes, o.Guidance)
		if err != nil {
			return nil, err
		}
		ab := s.AlphaBar[t]
		abPrev := 1.0
		if si+1 < len(ts) {
			abPrev = s.AlphaBar[ts[si+1]]
		}
		sa, sb := math.Sqrt(ab), math.Sqrt(1-ab)
		var sigma float64
		if o.DDPM {
			if si+1 < len(ts) {
				sigma = math.Sqrt(s.Beta[t] * (1 - abPrev) / (1 - ab))
			}
		} else {
			sigma = o.Eta * math.Sqrt((1-abPrev)/(1-ab)*(1-ab/abPrev))
		}
		dirc := math.Sqrt(math.Max(1-abPrev-sigma*sigma, 0))
		for i := 0; i < b*n; i++ {
			e := float64(eps.D[i])
			p0 := (float64(x.D[i]) - sb*e) / sa
			p0 = math.Max(-1, math.Min(1, p0))
			x0.D[i] = float32(p0)
			if o.DDPM {
				// posterior mean with the clipped x0
				c0 := math.Sqrt(abPrev) * s.Beta[t] / (1 - ab)
				ct := math.Sqrt(1-s.Beta[t]) * (1 - abPrev) / (1 - ab)
				x.D[i] = float32(c0*p0 + ct*float64(x.D[i]))
			} else {
				e = (float64(x.D[i]) - sa*p0) / sb
				x.D[i] = float32(math.Sqrt(abPrev)*p0 + dirc*e)
			}
		}
		if sigma > 0 {
			for i := range x.D {
				x.D[i] += float32(sigma * rng.NormFloat64())
			}
		}
		if o.Progress != nil {
			o.Progress(si, len(ts), x0)
		}
	}
	return x0, nil
}

// guidedEps runs the conditional and unconditional predictions in one
// batch and mixes them with guidance w (w == 1 runs the conditional only).
func guidedEps(m EpsModel, x *nn.T, t int, labels []int, classes int, w float64) (*nn.T, error) {
	b := x.B
	if w == 1 {
		ts := make([]float64, b)
		for i := range ts {
			ts[i] = float64(t)
		}
		return m.Forward(x, ts, labels)
	}
	xx := nn.NewT(2*b, x.C, x.H, x.W)
	copy(xx.D, x.D)
	copy(xx.D[len(x.D):], x.D)
	ts := make([]float64, 2*b)
	ls := make([]int, 2*b)
	for i := range ts {
		ts[i] = float64(t)
		if i < b {
			ls[i] = labels[i]
		} else {
			ls[i] = classes
		}
	}
	e, err := m.Forward(xx, ts, ls)
	if err != nil {
		return nil, err
	}
	out := nn.NewT(b, x.C, x.H, x.W)
	fw := float32(w)
	n := len(x.D)
	for i := range out.D {
		c, u := e.D[i], e.D[n+i]
		out.D[i] = u + fw*(c-u)
	}
	return out, nil
}
