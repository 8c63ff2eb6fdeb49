package engine

import (
	"fmt"
	"strings"
	"time"
)

// Op is a kind of work in a forward pass, for Profile.
type Op int

// Kinds of work a Profile separates.
const (
	OpQuant  Op = iota // float activations to int8
	OpIm2col           // im2col of conv inputs (int8 or float)
	OpGemm             // conv/linear GEMMs with their epilogues
	OpGN               // group norm
	OpSiLU             // SiLU
	OpAttn             // attention products, softmax and reshuffles
	OpOther            // adds, upsampling, concatenation, time embedding
	numOps
)

var opNames = [numOps]string{"quantize", "im2col", "gemm+epilogue", "groupnorm", "silu", "attention core", "other"}

// Profile accumulates, when set as Net.Prof, the time spent in each Op
// and in each conv/linear layer.
type Profile struct {
	D [numOps]time.Duration
	// Layers holds each conv/linear layer's time (its quantization, im2col
	// and GEMM with the epilogue) in the order the layers first ran.
	Layers []LayerTime
	// Forwards counts the forward passes profiled.
	Forwards int
}

// LayerTime is one conv/linear layer's share of a Profile.
type LayerTime struct {
	Name  string
	D     time.Duration
	Ops   float64 // arithmetic operations (2 per multiply-add), all calls
	Calls int
}

// layer adds d and ops to the layer name.
func (p *Profile) layer(name string, d time.Duration, ops float64) {
	for i := range p.Layers {
		if l := &p.Layers[i]; l.Name == name {
			l.D += d
			l.Ops += ops
			l.Calls++
			return
		}
	}
	p.Layers = append(p.Layers, LayerTime{Name: name, D: d, Ops: ops, Calls: 1})
}

// Kinds returns the names of the kinds of work and their times, in the
// order of String's table.
func (p *Profile) Kinds() ([]string, []time.Duration) {
	return opNames[:], p.D[:]
}

// String is a table of the ops' shares of the total.
func (p *Profile) String() string {
	var tot time.Duration
	for _, d := range p.D {
		tot += d
	}
	var b strings.Builder
	fmt.Fprintf(&b, "| op | ms | share |\n|---|---|---|\n")
	for i, d := range p.D {
		fmt.Fprintf(&b, "| %s | %.1f | %.1f%% |\n", opNames[i], float64(d)/1e6, 100*float64(d)/float64(max(tot, 1)))
	}
	fmt.Fprintf(&b, "| total | %.1f | |\n", float64(tot)/1e6)
	if len(p.Layers) > 0 {
		fmt.Fprintf(&b, "\n| layer | ms | GOPS |\n|---|---|---|\n")
		for _, l := range p.Layers {
			fmt.Fprintf(&b, "| %s | %.2f | %.1f |\n", l.Name, float64(l.D)/1e6, l.Ops/max(float64(l.D), 1))
		}
	}
	return b.String()
}

// mark returns the time now when profiling (zero otherwise).
func (n *Net) mark() time.Time {
	if n.Prof == nil {
		return time.Time{}
	}
	return time.Now()
}

// charge adds the time since t0 to op and returns the time now.
func (n *Net) charge(op Op, t0 time.Time) time.Time {
	if n.Prof == nil {
		return t0
	}
	t := time.Now()
	n.Prof.D[op] += t.Sub(t0)
	return t
}

// chargeRest charges to OpOther the forward's time since t0 not charged
// to another op (before holds the totals when the forward began).
func (n *Net) chargeRest(t0 time.Time, before [numOps]time.Duration) {
	rest := time.Since(t0)
	for i, d := range n.Prof.D {
		rest -= d - before[i]
	}
	n.Prof.D[OpOther] += rest
}

// ProfileSteps runs one warm-up guided DDIM step, then reps more (the
// steps TimeSteps times) with a Profile attached, and returns it; n.Prof
// is restored.
func ProfileSteps(n *Net, reps int) (*Profile, error) {
	if reps < 1 {
		return nil, fmt.Errorf("engine: profile of %d steps", reps)
	}
	step := benchStep(n)
	if err := step(); err != nil {
		return nil, err
	}
	old := n.Prof
	defer func() { n.Prof = old }()
	p := new(Profile)
	n.Prof = p
	for range reps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return p, nil
}
