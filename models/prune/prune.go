package prune

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/qdiff/qdiff/models/classifier"
	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
)

// PruneMask keeps, for each pruned weight tensor, which entries survive.
type PruneMask map[*nn.Param][]bool

// MagnitudePrune zeroes the smallest-magnitude fraction sparsity of every
// weight matrix in ps (params with weight decay: convs and linears, not
// biases or norms), layer by layer, and returns the mask.
func MagnitudePrune(ps []*nn.Param, sparsity float64) (PruneMask, error) {
	if sparsity < 0 || sparsity >= 1 || math.IsNaN(sparsity) {
		return nil, fmt.Errorf("prune: sparsity %v outside [0, 1)", sparsity)
	}
	m := PruneMask{}
	for _, p := range ps {
		if !p.Decay {
			continue
		}
		mags := make([]float64, len(p.W))
		for i, v := range p.W {
			mags[i] = math.Abs(float64(v))
		}
		slices.Sort(mags)
		cut := int(sparsity * float64(len(mags)))
		keep := make([]bool, len(p.W))
		kept := 0
		for i, v := range p.W {
			// keep strictly above the cut; ties at the cut fill up to the budget
			a := math.Abs(float64(v))
			if cut == 0 || a > mags[cut-1] {
				keep[i] = true
				kept++
			}
		}
		for i, v := range p.W {
			if kept >= len(p.W)-cut {
				break
			}
			if !keep[i] && cut > 0 && math.Abs(float64(v)) == mags[cut-1] {
				keep[i] = true
				kept++
			}
		}
		m[p] = keep
	}
	m.Apply()
	return m, nil
}

// Apply zeroes the pruned weights (after every optimizer step).
func (m PruneMask) Apply() {
	for p, keep := range m {
		for i, k := range keep {
			if !k {
				p.W[i] = 0
			}
		}
	}
}

// NonZero counts the surviving weights and all weights of the masked tensors.
func (m PruneMask) NonZero() (nz, total int) {
	for p := range m {
		for _, v := range p.W {
			if v != 0 {
				nz++
			}
		}
		total += len(p.W)
	}
	return nz, total
}

// lowpass returns the N x N real matrix L with L X L^T keeping the 2D
// frequencies of X with max(|kx|, |ky|) <= r (|k| = min(k, N-k)) and
// dropping the rest: L = Re(F^H diag(mask) F), a symmetric projection.
func lowpass(n int, r float64) []float64 {
	l := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for k := 0; k < n; k++ {
				if float64(min(k, n-k)) <= r {
					s += math.Cos(2 * math.Pi * float64(k*(i-j)) / float64(n))
				}
			}
			l[i*n+j] = s / float64(n)
		}
	}
	return l
}

// freqKD is the frequency-domain distillation loss of the pruning paper:
// the student's feature maps s must match the teacher's t on the
// frequencies up to r (by Parseval, the energy of the low-passed
// difference), L = mean over maps of |L (s-t) L|^2 / (H W). It returns w*L
// and adds w*dL/ds into ds.
func freqKD(s, t, ds *nn.T, r, w float64) float64 {
	n := s.H
	l := lowpass(n, r)
	maps := s.B * s.C
	scale := w / float64(maps*n*n)
	var loss float64
	d := make([]float64, n*n)
	tmp := make([]float64, n*n)
	y := make([]float64, n*n)
	for m := 0; m < maps; m++ {
		sv, tv := s.D[m*n*n:(m+1)*n*n], t.D[m*n*n:(m+1)*n*n]
		for i := range d {
			d[i] = float64(sv[i] - tv[i])
		}
		mul := func(a, b, out []float64) {
			for i := 0; i < n; i++ {
				for j := 0; j < n; j++ {
					var acc float64
					for k := 0; k < n; k++ {
						acc += a[i*n+k] * b[k*n+j]
					}
					out[i*n+j] = acc
				}
			}
		}
		mul(l, d, tmp)
		mul(tmp, l, y) // L D L (L symmetric)
		for i, v := range y {
			loss += v * v
			// L is a projection: d/dD |L D L|^2 = 2 L D L
			ds.D[m*n*n+i] += float32(2 * scale * v)
		}
	}
	return w * loss / float64(maps*n*n)
}

// PruneTrain configures RetrainPruned.
type PruneTrain struct {
	Epochs, Batch int
	LR            float64
	Seed          uint64
	Limit         int     // first Limit training images (0: all)
	FreqKD        float64 // weight of frequency distillation from the teacher (0: plain fine-tuning)
}

// RetrainPruned fine-tunes the pruned classifier c (mask m re-applied
// after each step), optionally with frequency-domain distillation from
// teacher whose band grows from the lowest frequency to all of them over
// the run; it returns the test accuracy.
func RetrainPruned(ctx context.Context, c, teacher *classifier.Classifier, m PruneMask, cfg PruneTrain, train, test *mnist.Dataset, log io.Writer) (float64, error) {
	r := rand.New(rand.NewPCG(cfg.Seed, 0x9f1))
	n := train.N
	if cfg.Limit > 0 {
		n = min(n, cfg.Limit)
	}
	steps := cfg.Epochs * (n / cfg.Batch)
	step := 0
	var x *nn.T
	var extra [3]*nn.T
	var acc float64
	loop := classifier.CELoop{Epochs: cfg.Epochs, Batch: cfg.Batch, N: n, Rand: r,
		Sched:  nn.LRSchedule{Base: cfg.LR, Min: cfg.LR / 20, Warmup: min(100, steps/10), Total: steps},
		Opt:    &nn.AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 5e-4},
		Params: c.Params(),
		Input: func(idx []int) *nn.T {
			x = classifier.ImagesToT(train, idx, func() (int, int) { return r.IntN(5) - 2, r.IntN(5) - 2 })
			return x
		},
		Forward:     c.Forward,
		Backward:    func(d *nn.T) { c.BackwardWith(d, extra) },
		AfterUpdate: func() { m.Apply(); step++ },
		EndEpoch: func(ep int, loss float64) error {
			var err error
			if acc, err = c.Accuracy(test); err != nil {
				return err
			}
			fmt.Fprintf(log, "epoch %d: train loss %.4f, test accuracy %.2f%%\n", ep+1, loss, 100*acc)
			return nil
		},
	}
	if cfg.FreqKD > 0 {
		loop.Extra = func(_, _ *nn.T) (float64, error) {
			ss := c.Stages()
			if _, err := teacher.Forward(x); err != nil {
				return 0, err
			}
			ts := teacher.Stages()
			frac := float64(step) / float64(max(steps-1, 1))
			var loss float64
			for i := range ss {
				extra[i] = nn.NewT(ss[i].B, ss[i].C, ss[i].H, ss[i].W)
				loss += freqKD(ss[i], ts[i], extra[i], frac*float64(ss[i].H/2), cfg.FreqKD)
			}
			return loss, nil
		}
	}
	err := loop.Run(ctx, train, log)
	return acc, err
}
