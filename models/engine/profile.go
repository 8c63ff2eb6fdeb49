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

// Profile accumulates, when set as Net.Prof, the time spent in each Op.
type Profile struct {
	D [numOps]time.Duration
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
