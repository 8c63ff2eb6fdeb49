package models

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"
)

// EvalResult holds the sample-quality metrics of one model and sampler.
type EvalResult struct {
	N       int
	FD      float64 // FD-MNIST against the test set
	CondAcc float64 // share classified as the requested digit
	IS      float64 // classifier-based Inception Score analogue
	Seconds float64
	Samples *T // the first up to 100 samples (for grids)
}

// ClassifyBatch returns penultimate features and class probabilities.
func (c *Classifier) ClassifyBatch(x *T) ([][]float64, [][]float64, error) {
	lg, err := c.Forward(x)
	if err != nil {
		return nil, nil, err
	}
	f := c.Features()
	feats := make([][]float64, x.B)
	probs := make([][]float64, x.B)
	for b := 0; b < x.B; b++ {
		feats[b] = make([]float64, f.C)
		for i := range feats[b] {
			feats[b][i] = float64(f.D[b*f.C+i])
		}
		row := lg.D[b*10 : (b+1)*10]
		mx := row[Argmax(row)]
		var s float64
		p := make([]float64, 10)
		for j, v := range row {
			p[j] = math.Exp(float64(v - mx))
			s += p[j]
		}
		for j := range p {
			p[j] /= s
		}
		probs[b] = p
	}
	return feats, probs, nil
}

// DatasetStats returns the classifier feature statistics of a dataset.
func DatasetStats(c *Classifier, d *Dataset) (*FeatureStats, error) {
	var feats [][]float64
	err := InBatches(d.N, 250, func(idx []int) error {
		f, _, err := c.ClassifyBatch(ImagesToT(d, idx, nil))
		feats = append(feats, f...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return Stats(feats)
}

// Evaluate draws n samples (n/10 per class, in batches of batch) with the
// given options and scores them against ref (test-set statistics).
func Evaluate(m EpsModel, s *Schedule, cls *Classifier, ref *FeatureStats, n, batch int, o SampleOptions, seed uint64, log io.Writer) (*EvalResult, error) {
	if n < 10 || batch < 1 {
		return nil, fmt.Errorf("eval: need n >= 10 and batch >= 1")
	}
	rng := rand.New(rand.NewPCG(seed, 0xe7a1))
	res := &EvalResult{N: n}
	var feats, probs [][]float64
	right := 0
	t0 := time.Now()
	for i0 := 0; i0 < n; i0 += batch {
		labels := make([]int, 0, batch)
		for i := i0; i < min(i0+batch, n); i++ {
			labels = append(labels, i%10)
		}
		x, err := s.Sample(m, 28, labels, 10, o, rng)
		if err != nil {
			return nil, err
		}
		if res.Samples == nil {
			res.Samples = x
		}
		f, p, err := cls.ClassifyBatch(x)
		if err != nil {
			return nil, err
		}
		for b, l := range labels {
			if Argmax(p[b]) == l {
				right++
			}
		}
		feats, probs = append(feats, f...), append(probs, p...)
		done := len(feats)
		el := time.Since(t0)
		fmt.Fprintf(log, "eval: %d/%d samples, %s elapsed, ETA %s\n", done, n, el.Round(time.Second),
			time.Duration(float64(el)/float64(done)*float64(n-done)).Round(time.Second))
	}
	st, err := Stats(feats)
	if err != nil {
		return nil, err
	}
	if res.FD, err = FrechetDistance(st, ref); err != nil {
		return nil, err
	}
	res.CondAcc = float64(right) / float64(n)
	res.IS = InceptionScoreAnalogue(probs)
	res.Seconds = time.Since(t0).Seconds()
	return res, nil
}

// InBatches calls f with consecutive index batches of at most size covering [0, n).
func InBatches(n, size int, f func(idx []int) error) error {
	for i0 := 0; i0 < n; i0 += size {
		idx := make([]int, 0, size)
		for j := i0; j < min(i0+size, n); j++ {
			idx = append(idx, j)
		}
		if err := f(idx); err != nil {
			return err
		}
	}
	return nil
}
