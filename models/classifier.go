package models

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/qdiff/qdiff/models/st"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Classifier is the FP MNIST CNN: three 3x3 convs (1->32, 32->64 stride 2,
// 64->64 stride 2), each followed by GroupNorm and SiLU, then a 128-wide
// hidden layer (the penultimate features used by the metrics) and 10
// logits. It is the teacher of the binary networks.
type Classifier struct {
	C1, C2, C3 *Conv2D
	N1, N2, N3 *GroupNorm
	A1, A2, A3 SiLU
	L1, L2     *Linear
	A4         SiLU
	feat       *T
	stages     [3]*T
}

// ClassifierFeatures is the width of the penultimate features.
const ClassifierFeatures = 128

// NewClassifier builds the network with seeded weights.
func NewClassifier(seed uint64) *Classifier {
	r := rand.New(rand.NewPCG(seed, 0xc1a55))
	return &Classifier{
		C1: NewConv2D(r, "conv1", 1, 32, 3, 1, 1), N1: NewGroupNorm("norm1", 8, 32),
		C2: NewConv2D(r, "conv2", 32, 64, 3, 2, 1), N2: NewGroupNorm("norm2", 8, 64),
		C3: NewConv2D(r, "conv3", 64, 64, 3, 2, 1), N3: NewGroupNorm("norm3", 8, 64),
		L1: NewLinear(r, "fc1", 64*7*7, ClassifierFeatures, 1),
		L2: NewLinear(r, "fc2", ClassifierFeatures, 10, 1),
	}
}

// Params lists the trainable tensors.
func (c *Classifier) Params() []*Param {
	return ConcatParams(c.C1.Params(), c.N1.Params(), c.C2.Params(), c.N2.Params(),
		c.C3.Params(), c.N3.Params(), c.L1.Params(), c.L2.Params())
}

// Forward returns logits [B,10]; Features holds the penultimate features.
func (c *Classifier) Forward(x *T) (*T, error) {
	if x.C != 1 || x.H != 28 || x.W != 28 {
		return nil, fmt.Errorf("classifier: input %s, want [B 1 28 28]", x.Shape())
	}
	h := c.A1.Forward(c.N1.Forward(c.C1.Forward(x)))
	c.stages[0] = h
	h = c.A2.Forward(c.N2.Forward(c.C2.Forward(h)))
	c.stages[1] = h
	h = c.A3.Forward(c.N3.Forward(c.C3.Forward(h)))
	c.stages[2] = h
	flat := &T{B: h.B, C: h.C * h.H * h.W, H: 1, W: 1, D: h.D}
	c.feat = c.A4.Forward(c.L1.Forward(flat))
	return c.L2.Forward(c.feat), nil
}

// Stages returns the feature maps of the last Forward at 28x28 [B,32],
// 14x14 [B,64] and 7x7 [B,64] (after each SiLU).
func (c *Classifier) Stages() [3]*T { return c.stages }

// Features returns the penultimate features of the last Forward.
func (c *Classifier) Features() *T { return c.feat }

// Backward back-propagates dlogits.
func (c *Classifier) Backward(d *T) { c.BackwardWith(d, [3]*T{}) }

// BackwardWith back-propagates dlogits plus extra gradients with respect
// to the three stage outputs (nil entries add nothing).
func (c *Classifier) BackwardWith(d *T, extra [3]*T) {
	add := func(g *T, i int) *T {
		if extra[i] != nil {
			AddInto(g, extra[i])
		}
		return g
	}
	dh := c.L1.Backward(c.A4.Backward(c.L2.Backward(d)))
	dh = &T{B: dh.B, C: 64, H: 7, W: 7, D: dh.D}
	dh = c.C3.Backward(c.N3.Backward(c.A3.Backward(add(dh, 2))))
	dh = c.C2.Backward(c.N2.Backward(c.A2.Backward(add(dh, 1))))
	c.C1.Backward(c.N1.Backward(c.A1.Backward(add(dh, 0))))
}

// SoftmaxCE returns the mean cross-entropy of logits [B,K] against labels
// and its gradient.
func SoftmaxCE(logits *T, labels []int) (float64, *T) {
	k := logits.C
	d := NewT(logits.B, k, 1, 1)
	var loss float64
	for b := 0; b < logits.B; b++ {
		row := logits.D[b*k : (b+1)*k]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v - mx))
		}
		for j, v := range row {
			p := math.Exp(float64(v-mx)) / s
			g := p
			if j == labels[b] {
				g--
				loss -= math.Log(max(p, 1e-30))
			}
			d.D[b*k+j] = float32(g / float64(logits.B))
		}
	}
	return loss / float64(logits.B), d
}

// ImagesToT converts dataset images idx to a [-1,1] batch, each shifted by
// (dx, dy) pixels when shift is set (augmentation, zero fill).
func ImagesToT(d *Dataset, idx []int, shift func() (int, int)) *T {
	x := NewT(len(idx), 1, 28, 28)
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
func (c *Classifier) Accuracy(d *Dataset) (float64, error) {
	right := 0
	err := InBatches(d.N, 250, func(idx []int) error {
		lg, err := c.Forward(ImagesToT(d, idx, nil))
		if err != nil {
			return err
		}
		for b, j := range idx {
			if Argmax(lg.D[b*10:(b+1)*10]) == int(d.Labels[j]) {
				right++
			}
		}
		return nil
	})
	return float64(right) / float64(d.N), err
}

// argmax is the index of the largest value (the first on ties).
// Argmax is the index of the largest value (the first of equals).
func Argmax[E float32 | float64](v []E) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// ClassifierTrain configures TrainClassifier.
type ClassifierTrain struct {
	Epochs, Batch int
	LR            float64
	Seed          uint64
}

// TrainClassifier trains c on train, reporting test accuracy after each
// epoch to log, and returns the final test accuracy.
func TrainClassifier(ctx context.Context, c *Classifier, cfg ClassifierTrain, train, test *Dataset, log io.Writer) (float64, error) {
	r := rand.New(rand.NewPCG(cfg.Seed, 0x7c1a))
	var acc float64
	err := CELoop{Epochs: cfg.Epochs, Batch: cfg.Batch, N: train.N, Rand: r,
		Sched:  LRSchedule{Base: cfg.LR, Min: cfg.LR / 50, Warmup: 200, Total: cfg.Epochs * (train.N / cfg.Batch)},
		Opt:    &AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 5e-4},
		Params: c.Params(),
		Input: func(idx []int) *T {
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

// SaveParams writes params as F32 tensors with metadata.
func SaveParams(path string, ps []*Param, meta map[string]string) error {
	var ts []st.Tensor
	for _, p := range ps {
		ts = append(ts, st.F32Tensor(p.Name, p.Shape, p.W))
	}
	return st.WriteFile(path, meta, ts)
}

// LoadParams reads F32 tensors by name into ps.
func LoadParams(path string, ps []*Param) (*st.File, error) {
	f, err := st.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if err := LoadInto(f, p.Name, p.W); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return f, nil
}
