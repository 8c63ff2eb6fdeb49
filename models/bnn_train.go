package models

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
)

// BinaryTrain configures TrainBinary.
type BinaryTrain struct {
	Epochs, Batch int
	LR            float64
	Seed          uint64
	Limit         int // use only the first Limit training images (0: all)
}

// binaryInput scales pixels to [0, 1] (zero padding is background).
func binaryInput(d *Dataset, idx []int, shift func() (int, int)) *T {
	x := ImagesToT(d, idx, shift)
	for i, v := range x.D {
		x.D[i] = (v + 1) / 2
	}
	return x
}

// TrainBinary trains the baseline binary network (sign with a
// straight-through estimator, latent weights clipped to [-1, 1]) and
// reports, after each epoch, the test accuracy of the network exported to
// the integer kernels — the accuracy the kernels reproduce.
func TrainBinary(ctx context.Context, n *BinaryNet, cfg BinaryTrain, train, test *Dataset, log io.Writer) (float64, error) {
	r := rand.New(rand.NewPCG(cfg.Seed, 0xb17))
	ntrain := train.N
	if cfg.Limit > 0 {
		ntrain = min(ntrain, cfg.Limit)
	}
	steps := cfg.Epochs * (ntrain / cfg.Batch)
	var acc float64
	n.SetTrain(true)
	err := ceLoop{Epochs: cfg.Epochs, Batch: cfg.Batch, N: ntrain, Rand: r,
		Sched:  LRSchedule{Base: cfg.LR, Min: cfg.LR / 100, Warmup: min(200, steps/10), Total: steps},
		Opt:    &AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8},
		Params: n.Params(),
		Input: func(idx []int) *T {
			return binaryInput(train, idx, func() (int, int) { return r.IntN(3) - 1, r.IntN(3) - 1 })
		},
		Forward: n.Forward, Backward: n.Backward, AfterUpdate: n.ClipLatent,
		EndEpoch: func(ep int, loss float64) error {
			n.SetTrain(false)
			defer n.SetTrain(true)
			bk, err := n.Export()
			if err != nil {
				return err
			}
			if acc, err = BinaryAccuracy(bk, test); err != nil {
				return err
			}
			fmt.Fprintf(log, "epoch %d: train loss %.4f, test accuracy through the binary kernels %.2f%%\n", ep+1, loss, 100*acc)
			return nil
		},
	}.run(ctx, train, log)
	n.SetTrain(false)
	return acc, err
}

// FloatAccuracy is the accuracy of the eval-mode float forward (first and
// last layers unquantized), for comparison with the kernel path.
func (n *BinaryNet) FloatAccuracy(d *Dataset) (float64, []int, error) {
	n.SetTrain(false)
	var preds []int
	right := 0
	err := inBatches(d.N, 250, func(idx []int) error {
		lg, err := n.Forward(binaryInput(d, idx, nil))
		if err != nil {
			return err
		}
		for b, j := range idx {
			p := argmax(lg.D[b*10 : (b+1)*10])
			preds = append(preds, p)
			if p == int(d.Labels[j]) {
				right++
			}
		}
		return nil
	})
	return float64(right) / float64(d.N), preds, err
}
