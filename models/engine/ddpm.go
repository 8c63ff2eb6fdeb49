package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// DDPMStep moves x (in place) from time step t to t-1 by ancestral DDPM
// sampling: the posterior mean with the clipped prediction of x0, plus
// noise of the posterior variance drawn from r (none at t = 0). It
// returns the prediction of x0.
func (n *Net) DDPMStep(s *Schedule, x []float32, t, label int, w float64, r *rand.Rand) ([]float32, error) {
	if t < 0 || t >= s.T {
		return nil, fmt.Errorf("engine: DDPM step at %d outside 0..%d", t, s.T-1)
	}
	eps, err := n.GuidedEps(x, t, label, w)
	if err != nil {
		return nil, err
	}
	ab, abPrev := s.AlphaBar[t], 1.0
	if t > 0 {
		abPrev = s.AlphaBar[t-1]
	}
	sa, sb := math.Sqrt(ab), math.Sqrt(1-ab)
	c0 := math.Sqrt(abPrev) * s.Beta[t] / (1 - ab)
	ct := math.Sqrt(1-s.Beta[t]) * (1 - abPrev) / (1 - ab)
	sigma := 0.0
	if t > 0 {
		sigma = math.Sqrt(s.Beta[t] * (1 - abPrev) / (1 - ab))
	}
	x0 := make([]float32, len(x))
	for i := range x {
		p0 := (float64(x[i]) - sb*float64(eps[i])) / sa
		p0 = math.Max(-1, math.Min(1, p0))
		x0[i] = float32(p0)
		x[i] = float32(c0*p0 + ct*float64(x[i]))
	}
	if sigma > 0 {
		for i := range x {
			x[i] += float32(sigma * r.NormFloat64())
		}
	}
	return x0, nil
}

// GenerateDDPM draws one image of label with all T ancestral steps; the
// start noise is Generate's for the same seed, the step noise comes from
// a second stream of seed, so results are reproducible everywhere.
func (n *Net) GenerateDDPM(s *Schedule, seed uint64, label int, w float64, progress func(step int, x0 []float32) bool) ([]float32, error) {
	if label < 0 || label >= n.Cfg.Classes {
		return nil, fmt.Errorf("engine: digit %d outside 0..%d", label, n.Cfg.Classes-1)
	}
	x := Noise(seed, n.Cfg.Size*n.Cfg.Size)
	r := rand.New(rand.NewPCG(seed, 0xdd9))
	var x0 []float32
	for i := 0; i < s.T; i++ {
		var err error
		if x0, err = n.DDPMStep(s, x, s.T-1-i, label, w, r); err != nil {
			return nil, err
		}
		if progress != nil && !progress(i, x0) {
			return nil, ErrCanceled
		}
	}
	return x0, nil
}
