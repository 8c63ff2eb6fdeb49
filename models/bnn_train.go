package models

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
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
	sched := LRSchedule{Base: cfg.LR, Min: cfg.LR / 100, Warmup: min(200, steps/10), Total: steps}
	opt := &AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	ps := n.Params()
	t0 := time.Now()
	step := 0
	var acc float64
	for ep := 0; ep < cfg.Epochs; ep++ {
		n.SetTrain(true)
		perm := r.Perm(ntrain)
		var sum float64
		cnt := 0
		for i0 := 0; i0+cfg.Batch <= ntrain; i0 += cfg.Batch {
			if ctx.Err() != nil {
				return acc, ctx.Err()
			}
			idx := perm[i0 : i0+cfg.Batch]
			labels := make([]int, len(idx))
			for b, j := range idx {
				labels[b] = int(train.Labels[j])
			}
			lg, err := n.Forward(binaryInput(train, idx, func() (int, int) { return r.IntN(3) - 1, r.IntN(3) - 1 }))
			if err != nil {
				return 0, err
			}
			loss, d := SoftmaxCE(lg, labels)
			n.Backward(d)
			opt.Update(ps, sched.At(step))
			n.ClipLatent()
			step++
			sum += loss
			cnt++
			if step%100 == 0 {
				el := time.Since(t0)
				fmt.Fprintf(log, "epoch %d step %d/%d loss %.4f  %.0f img/s  ETA %s\n", ep+1, step, steps, sum/float64(cnt),
					float64(step*cfg.Batch)/el.Seconds(), (el / time.Duration(step) * time.Duration(steps-step)).Round(time.Second))
			}
		}
		n.SetTrain(false)
		bk, err := n.Export()
		if err != nil {
			return 0, err
		}
		if acc, err = bk.Accuracy(test); err != nil {
			return 0, err
		}
		fmt.Fprintf(log, "epoch %d: train loss %.4f, test accuracy through the binary kernels %.2f%%\n", ep+1, sum/float64(max(cnt, 1)), 100*acc)
	}
	return acc, nil
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
