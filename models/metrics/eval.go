package metrics

import (
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/qdiff/qdiff/models/classifier"
	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/plot"
	"github.com/qdiff/qdiff/models/unet"
)

// EvalResult holds the sample-quality metrics of one model and sampler.
type EvalResult struct {
	N       int
	FD      float64    // FD-MNIST against the test set
	CondAcc float64    // share classified as the requested digit
	IS      float64    // classifier-based Inception Score analogue
	Pixels  PixelStats // of all n samples as grey bytes
	Seconds float64
	Samples *nn.T // the first up to 100 samples (for grids)
}

// DatasetStats returns the classifier feature statistics of a dataset.
func DatasetStats(c *classifier.Classifier, d *mnist.Dataset) (*FeatureStats, error) {
	var feats [][]float64
	err := nn.InBatches(d.N, 250, func(idx []int) error {
		f, _, err := c.ClassifyBatch(classifier.ImagesToT(d, idx, nil))
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
func Evaluate(m unet.EpsModel, s *unet.Schedule, cls *classifier.Classifier, ref *FeatureStats, n, batch int, o unet.SampleOptions, seed uint64, log io.Writer) (*EvalResult, error) {
	if n < 10 || batch < 1 {
		return nil, fmt.Errorf("eval: need n >= 10 and batch >= 1")
	}
	rng := rand.New(rand.NewPCG(seed, 0xe7a1))
	res := &EvalResult{N: n}
	var feats, probs [][]float64
	var pix []uint8
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
			if nn.Argmax(p[b]) == l {
				right++
			}
		}
		feats, probs = append(feats, f...), append(probs, p...)
		for _, v := range x.D {
			pix = append(pix, plot.ToByte(v))
		}
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
	res.Pixels = ImagePixelStats(pix, 28)
	res.Seconds = time.Since(t0).Seconds()
	return res, nil
}
