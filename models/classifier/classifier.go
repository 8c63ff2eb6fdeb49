package classifier

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
)

// Classifier is the FP MNIST CNN: three 3x3 convs (1->32, 32->64 stride 2,
// 64->64 stride 2), each followed by GroupNorm and SiLU, then a 128-wide
// hidden layer (the penultimate features used by the metrics) and 10
// logits. It is the teacher of the binary networks.
type Classifier struct {
	C1, C2, C3 *nn.Conv2D
	N1, N2, N3 *nn.GroupNorm
	A1, A2, A3 nn.SiLU
	L1, L2     *nn.Linear
	A4         nn.SiLU
	feat       *nn.T
	stages     [3]*nn.T
}

// ClassifierFeatures is the width of the penultimate features.
const ClassifierFeatures = 128

// NewClassifier builds the network with seeded weights.
func NewClassifier(seed uint64) *Classifier {
	r := rand.New(rand.NewPCG(seed, 0xc1a55))
	return &Classifier{
		C1: nn.NewConv2D(r, "conv1", 1, 32, 3, 1, 1), N1: nn.NewGroupNorm("norm1", 8, 32),
		C2: nn.NewConv2D(r, "conv2", 32, 64, 3, 2, 1), N2: nn.NewGroupNorm("norm2", 8, 64),
		C3: nn.NewConv2D(r, "conv3", 64, 64, 3, 2, 1), N3: nn.NewGroupNorm("norm3", 8, 64),
		L1: nn.NewLinear(r, "fc1", 64*7*7, ClassifierFeatures, 1),
		L2: nn.NewLinear(r, "fc2", ClassifierFeatures, 10, 1),
	}
}

// Params lists the trainable tensors.
func (c *Classifier) Params() []*nn.Param {
	return nn.ConcatParams(c.C1.Params(), c.N1.Params(), c.C2.Params(), c.N2.Params(),
		c.C3.Params(), c.N3.Params(), c.L1.Params(), c.L2.Params())
}

// Forward returns logits [B,10]; Features holds the penultimate features.
func (c *Classifier) Forward(x *nn.T) (*nn.T, error) {
	if x.C != 1 || x.H != 28 || x.W != 28 {
		return nil, fmt.Errorf("classifier: input %s, want [B 1 28 28]", x.Shape())
	}
	h := c.A1.Forward(c.N1.Forward(c.C1.Forward(x)))
	c.stages[0] = h
	h = c.A2.Forward(c.N2.Forward(c.C2.Forward(h)))
	c.stages[1] = h
	h = c.A3.Forward(c.N3.Forward(c.C3.Forward(h)))
	c.stages[2] = h
	flat := &nn.T{B: h.B, C: h.C * h.H * h.W, H: 1, W: 1, D: h.D}
	c.feat = c.A4.Forward(c.L1.Forward(flat))
	return c.L2.Forward(c.feat), nil
}

// Stages returns the feature maps of the last Forward at 28x28 [B,32],
// 14x14 [B,64] and 7x7 [B,64] (after each SiLU).
func (c *Classifier) Stages() [3]*nn.T { return c.stages }

// Features returns the penultimate features of the last Forward.
func (c *Classifier) Features() *nn.T { return c.feat }

// Backward back-propagates dlogits.
func (c *Classifier) Backward(d *nn.T) { c.BackwardWith(d, [3]*nn.T{}) }

// BackwardWith back-propagates dlogits plus extra gradients with respect
// to the three stage outputs (nil entries add nothing).
func (c *Classifier) BackwardWith(d *nn.T, extra [3]*nn.T) {
	add := func(g *nn.T, i int) *nn.T {
		if extra[i] != nil {
			nn.AddInto(g, extra[i])
		}
		return g
	}
	dh := c.L1.Backward(c.A4.Backward(c.L2.Backward(d)))
	dh = &nn.T{B: dh.B, C: 64, H: 7, W: 7, D: dh.D}
	dh = c.C3.Backward(c.N3.Backward(c.A3.Backward(add(dh, 2))))
	dh = c.C2.Backward(c.N2.Backward(c.A2.Backward(add(dh, 1))))
	c.C1.Backward(c.N1.Backward(c.A1.Backward(add(dh, 0))))
}

// ImagesToT converts dataset images idx to a [-1,1] batch, each shifted by
// (dx, dy) pixels when shift is set (augmentation, zero fill).
func ImagesToT(d *mnist.Dataset, idx []int, shift func() (int, int)) *nn.T {
	x := nn.NewT(len(idx), 1, 28, 28)
	for b, j := range idx {
		dx, dy := 0, 0
		if shift != nil {
			dx, dy = shift()
		}
		img, dst := d.Image(j), x.Img(b)
		for i := range dst {
			dst[i] = -1
		}
		for yy := 0; yy < 28; yy++ {
			sy := yy - dy
			if sy < 0 || sy >= 28 {
				continue
			}
			for xx := 0; xx < 28; xx++ {
				sx := xx - dx
				if sx >= 0 && sx < 28 {
					dst[yy*28+xx] = float32(img[sy*28+sx])/127.5 - 1
				}
			}
		}
	}
	return x
}

// Accuracy classifies every image of d in batches and returns the share
// predicted right.
func (c *Classifier) Accuracy(d *mnist.Dataset) (float64, error) {
	right := 0
	err := nn.InBatches(d.N, 250, func(idx []int) error {
		lg, err := c.Forward(ImagesToT(d, idx, nil))
		if err != nil {
			return err
		}
		for b, j := range idx {
			if nn.Argmax(lg.D[b*10:(b+1)*10]) == int(d.Labels[j]) {
				right++
			}
		}
		return nil
	})
	return float64(right) / float64(d.N), err
}

// ClassifierTrain configures TrainClassifier.
type ClassifierTrain struct {
	Epochs, Batch int
	LR            float64
	Seed          uint64
}

// TrainClassifier trains c on train, reporting test accuracy after each
// epoch to log, and returns the final test accuracy.
func TrainClassifier(ctx context.Context, c *Classifier, cfg ClassifierTrain, train, test *mnist.Dataset, log io.Writer) (float64, error) {
	r := rand.New(rand.NewPCG(cfg.Seed, 0x7c1a))
	var acc float64
	err := CELoop{Epochs: cfg.Epochs, Batch: cfg.Batch, N: train.N, Rand: r,
		Sched:  nn.LRSchedule{Base: cfg.LR, Min: cfg.LR / 50, Warmup: 200, Total: cfg.Epochs * (train.N / cfg.Batch)},
		Opt:    &nn.AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 5e-4},
		Params: c.Params(),
		Input: func(idx []int) *nn.T {
			return ImagesToT(train, idx, func() (int, int) { return r.IntN(5) - 2, r.IntN(5) - 2 })
		},
		Forward: c.Forward, Backward: c.Backward,
		EndEpoch: func(ep int, loss float64) error {
			var err error
			if acc, err = c.Accuracy(test); err != nil {
				return err
			}
			fmt.Fprintf(log, "epoch %d: train loss %.4f, test accuracy %.2f%%\n", ep+1, loss, 100*acc)
			return nil
		},
	}.Run(ctx, train, log)
	return acc, err
}

// ClassifierMeta is the metadata of a saved classifier.
func ClassifierMeta(acc float64, cfg ClassifierTrain, took time.Duration) map[string]string {
	j, _ := json.Marshal(cfg)
	return map[string]string{"qdiff.kind": "model", "qdiff.model": "classifier-fp32",
		"qdiff.test_accuracy": strconv.FormatFloat(acc, 'f', 4, 64), "qdiff.train_config": string(j),
		"qdiff.train_seconds": strconv.FormatFloat(took.Seconds(), 'f', 0, 64)}
}

// ClassifyBatch returns penultimate features and class probabilities.
func (c *Classifier) ClassifyBatch(x *nn.T) ([][]float64, [][]float64, error) {
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
		mx := row[nn.Argmax(row)]
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

// LoadClassifier reads the FP classifier.
func LoadClassifier(path string) (*Classifier, error) {
	c := NewClassifier(0)
	if _, err := nn.LoadParams(path, c.Params()); err != nil {
		return nil, err
	}
	return c, nil
}
