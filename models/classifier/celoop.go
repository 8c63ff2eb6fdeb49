package classifier

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
)

// CELoop is the minibatch loop shared by the classifiers: shuffled epochs
// over the first N images, softmax cross-entropy, one optimizer step per
// batch, progress lines with an ETA.
type CELoop struct {
	Epochs, Batch, N int
	StartEpoch       int // epochs already done (a resumed run)
	Sched            nn.LRSchedule
	Opt              *nn.AdamW
	Params           []*nn.Param
	Rand             *rand.Rand
	Input            func(idx []int) *nn.T // the batch of images idx
	Forward          func(*nn.T) (*nn.T, error)
	Backward         func(*nn.T)
	AfterUpdate      func()                                 // optional, after each step
	Extra            func(logits, d *nn.T) (float64, error) // optional: adds regularizers to d and returns their loss
	EndEpoch         func(ep int, loss float64) error       // after each epoch, with its mean loss
}

func (l CELoop) Run(ctx context.Context, data *mnist.Dataset, log io.Writer) error {
	steps := l.Epochs * (l.N / l.Batch)
	start := time.Now()
	step := l.StartEpoch * (l.N / l.Batch)
	first := step
	for ep := l.StartEpoch; ep < l.Epochs; ep++ {
		perm := l.Rand.Perm(l.N)
		var sum float64
		n := 0
		for i0 := 0; i0+l.Batch <= l.N; i0 += l.Batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			idx := perm[i0 : i0+l.Batch]
			labels := make([]int, len(idx))
			for b, j := range idx {
				labels[b] = int(data.Labels[j])
			}
			lg, err := l.Forward(l.Input(idx))
			if err != nil {
				return err
			}
			loss, d := nn.SoftmaxCE(lg, labels)
			if l.Extra != nil {
				extra, err := l.Extra(lg, d)
				if err != nil {
					return err
				}
				loss += extra
			}
			l.Backward(d)
			l.Opt.Update(l.Params, l.Sched.At(step))
			if l.AfterUpdate != nil {
				l.AfterUpdate()
			}
			step++
			sum += loss
			n++
			if step%100 == 0 {
				el := time.Since(start)
				done := step - first
				eta := time.Duration(float64(el) / float64(done) * float64(steps-step))
				fmt.Fprintf(log, "epoch %d step %d/%d loss %.4f  %.0f img/s  ETA %s\n", ep+1, step, steps, sum/float64(n),
					float64(done*l.Batch)/el.Seconds(), eta.Round(time.Second))
			}
		}
		if err := l.EndEpoch(ep, sum/float64(max(n, 1))); err != nil {
			return err
		}
	}
	return nil
}
