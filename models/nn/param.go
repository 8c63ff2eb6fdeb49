package nn

import (
	"math"
	"math/rand/v2"
)

// Param is one trainable tensor with its gradient and optimizer state.
type Param struct {
	Name  string
	Shape []int
	W, G  []float32
	M, V  []float32 // Adam moments
	Decay bool      // weight decay applies (matrices, not biases or norms)
}

func NewParam(name string, shape ...int) *Param {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return &Param{Name: name, Shape: shape, W: make([]float32, n), G: make([]float32, n)}
}

// InitUniform fills W with U(-b, b), b = scale*sqrt(3/fanIn) (variance scale/fanIn... for scale=1, Kaiming-uniform-like).
func (p *Param) InitUniform(rng *rand.Rand, fanIn int, scale float64) {
	b := scale * math.Sqrt(3/float64(fanIn))
	for i := range p.W {
		p.W[i] = float32((rng.Float64()*2 - 1) * b)
	}
}

func (p *Param) Fill(v float32) {
	for i := range p.W {
		p.W[i] = v
	}
}

// AdamW is Adam with decoupled weight decay.
type AdamW struct {
	LR, Beta1, Beta2, Eps, WeightDecay float64
	Step                               int
}

// Update applies one step to every param and zeroes the gradients.
func (o *AdamW) Update(ps []*Param, lr float64) {
	o.Step++
	b1c := 1 - math.Pow(o.Beta1, float64(o.Step))
	b2c := 1 - math.Pow(o.Beta2, float64(o.Step))
	for _, p := range ps {
		if p.M == nil {
			p.M = make([]float32, len(p.W))
			p.V = make([]float32, len(p.W))
		}
		b1, b2 := float32(o.Beta1), float32(o.Beta2)
		step := float32(lr / b1c)
		eps := float32(o.Eps)
		sb2 := float32(math.Sqrt(b2c))
		wd := float32(0)
		if p.Decay {
			wd = float32(lr * o.WeightDecay)
		}
		for i, g := range p.G {
			m := b1*p.M[i] + (1-b1)*g
			v := b2*p.V[i] + (1-b2)*g*g
			p.M[i], p.V[i] = m, v
			p.W[i] -= step*m/(float32(math.Sqrt(float64(v)))/sb2+eps) + wd*p.W[i]
			p.G[i] = 0
		}
	}
}

// ClipGrads scales all gradients so that their global L2 norm is at most
// maxNorm and returns the norm before clipping.
func ClipGrads(ps []*Param, maxNorm float64) float64 {
	var s float64
	for _, p := range ps {
		for _, g := range p.G {
			s += float64(g) * float64(g)
		}
	}
	n := math.Sqrt(s)
	if maxNorm > 0 && n > maxNorm {
		f := float32(maxNorm / n)
		for _, p := range ps {
			for i := range p.G {
				p.G[i] *= f
			}
		}
	}
	return n
}

// EMA keeps an exponential moving average of parameter values.
type EMA struct {
	Decay  float64
	Shadow [][]float32
}

// NewEMA starts an average at the current values of ps.
func NewEMA(ps []*Param, decay float64) *EMA {
	e := &EMA{Decay: decay}
	for _, p := range ps {
		e.Shadow = append(e.Shadow, append([]float32(nil), p.W...))
	}
	return e
}

// Update moves the average towards the current values.
func (e *EMA) Update(ps []*Param) {
	d := float32(e.Decay)
	for i, p := range ps {
		s := e.Shadow[i]
		for j, w := range p.W {
			s[j] = d*s[j] + (1-d)*w
		}
	}
}

// LRSchedule is linear warm-up then cosine decay to Min.
type LRSchedule struct {
	Base, Min     float64
	Warmup, Total int
}

// At returns the learning rate of step s (0-based).
func (l LRSchedule) At(s int) float64 {
	if s < l.Warmup {
		return l.Base * float64(s+1) / float64(l.Warmup)
	}
	if l.Total <= l.Warmup {
		return l.Base
	}
	f := math.Min(1, float64(s-l.Warmup)/float64(l.Total-l.Warmup))
	return l.Min + (l.Base-l.Min)*0.5*(1+math.Cos(math.Pi*f))
}
