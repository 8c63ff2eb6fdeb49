package bnn

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/qdiff/qdiff/models/classifier"
	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
)

// BinaryTrain configures TrainBinary.
type BinaryTrain struct {
	Epochs, Batch int
	LR            float64
	Seed          uint64
	Limit         int // use only the first Limit training images (0: all)
	// RecalBN, if positive, recomputes the batch-norm statistics over this
	// many training batches before each export (see RecalibrateBN).
	RecalBN int
	// CkptPath, if set, is written after every epoch and resumed from when
	// it exists.
	CkptPath string

	// Weights of the methods on top of the baseline (0: off).
	LCR     float64                // LCR-BNN retention-matrix spectral norms matched to the teacher's
	CMIM    float64                // CMIM InfoNCE between binary and latent FP activations
	LONDON  float64                // LONDON: KD from the teacher (this mix of the logit loss) + Lipschitz matching
	Teacher *classifier.Classifier // FP counterpart for LCR and LONDON
}

// Method names the variant: "baseline", or the methods joined by "+".
func (c BinaryTrain) Method() string {
	var m []string
	if c.LCR > 0 {
		m = append(m, "lcr")
	}
	if c.CMIM > 0 {
		m = append(m, "cmim")
	}
	if c.LONDON > 0 {
		m = append(m, "london")
	}
	if len(m) == 0 {
		return "baseline"
	}
	return strings.Join(m, "+")
}

// Fixed constants of the methods (not searched: one setting per paper).
const (
	cmimTau        = 0.2 // InfoNCE temperature
	kdTau          = 4.0 // distillation temperature
	londonLipshitz = 0.1 // weight of LONDON's Lipschitz term relative to its KD mix
)

// regularizer returns the CELoop hook adding the enabled methods' losses.
func (n *BinaryNet) regularizer(cfg BinaryTrain, input func() *nn.T) (func(lg, d *nn.T) (float64, error), []*nn.Param, error) {
	if cfg.LCR == 0 && cfg.CMIM == 0 && cfg.LONDON == 0 {
		return nil, nil, nil
	}
	if (cfg.LCR > 0 || cfg.LONDON > 0) && cfg.Teacher == nil {
		return nil, nil, fmt.Errorf("binary: LCR and LONDON need the FP classifier as teacher")
	}
	var heads *cmimHeads
	var extra []*nn.Param
	if cfg.CMIM > 0 {
		heads = newCMIMHeads(cfg.Seed, map[int]int{1: 64, 2: 64, 3: 128}, []int{1, 2, 3}, cmimTau)
		extra = heads.Params()
	}
	return func(lg, d *nn.T) (float64, error) {
		pre := n.PreSign()
		var grads [4]*nn.T
		for i, p := range pre {
			grads[i] = nn.NewT(p.B, p.C, p.H, p.W)
		}
		var loss float64
		if heads != nil {
			loss += heads.loss(pre[:], grads[:], cfg.CMIM)
		}
		if cfg.Teacher != nil && (cfg.LCR > 0 || cfg.LONDON > 0) {
			x := input()
			tx := nn.NewT(x.B, x.C, x.H, x.W)
			for i, v := range x.D {
				tx.D[i] = 2*v - 1 // the teacher reads [-1, 1]
			}
			tl, err := cfg.Teacher.Forward(tx)
			if err != nil {
				return 0, err
			}
			ts := cfg.Teacher.Stages()
			s3, d3 := [3]*nn.T{pre[0], pre[2], pre[3]}, [3]*nn.T{grads[0], grads[2], grads[3]}
			rs, rt := stageRetentions(s3), stageRetentions(ts)
			if cfg.LCR > 0 {
				loss += lcrLoss(rs, rt, d3, cfg.LCR)
			}
			if cfg.LONDON > 0 {
				kl, kd := kdLoss(lg, tl, kdTau)
				a := float32(cfg.LONDON)
				for i := range d.D {
					d.D[i] = (1-a)*d.D[i] + a*kd.D[i]
				}
				loss += cfg.LONDON*kl + lipschitzLoss(rs, rt, d3, cfg.LONDON*londonLipshitz)
			}
		}
		n.extra = grads
		return loss, nil
	}, extra, nil
}

// binaryInput scales pixels to [0, 1] (zero padding is background).
func binaryInput(d *mnist.Dataset, idx []int, shift func() (int, int)) *nn.T {
	x := classifier.ImagesToT(d, idx, shift)
	for i, v := range x.D {
		x.D[i] = (v + 1) / 2
	}
	return x
}

// TrainBinary trains the baseline binary network (sign with a
// straight-through estimator, latent weights clipped to [-1, 1]) and
// reports, after each epoch, the test accuracy of the network exported to
// the integer kernels — the accuracy the kernels reproduce.
func TrainBinary(ctx context.Context, n *BinaryNet, cfg BinaryTrain, train, test *mnist.Dataset, log io.Writer) (float64, error) {
	pcg := rand.NewPCG(cfg.Seed, 0xb17)
	r := rand.New(pcg)
	ntrain := train.N
	if cfg.Limit > 0 {
		ntrain = min(ntrain, cfg.Limit)
	}
	steps := cfg.Epochs * (ntrain / cfg.Batch)
	var acc float64
	n.SetTrain(true)
	var lastX *nn.T
	reg, extra, err := n.regularizer(cfg, func() *nn.T { return lastX })
	if err != nil {
		return 0, err
	}
	backward := n.Backward
	if reg != nil {
		backward = func(d *nn.T) { n.BackwardWith(d, n.extra) }
	}
	opt := &nn.AdamW{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	params := append(n.Params(), extra...)
	ck := binaryCkpt{path: cfg.CkptPath, net: n, params: params, opt: opt, pcg: pcg, method: cfg.Method()}
	start := 0
	if cfg.CkptPath != "" {
		if _, err := os.Stat(cfg.CkptPath); err == nil {
			if start, err = ck.load(); err != nil {
				return 0, err
			}
			fmt.Fprintf(log, "resumed from %s after epoch %d\n", cfg.CkptPath, start)
		}
	}
	err = classifier.CELoop{Epochs: cfg.Epochs, Batch: cfg.Batch, N: ntrain, Rand: r, StartEpoch: start,
		Sched:  nn.LRSchedule{Base: cfg.LR, Min: cfg.LR / 100, Warmup: min(200, steps/10), Total: steps},
		Opt:    opt,
		Params: params,
		Input: func(idx []int) *nn.T {
			lastX = binaryInput(train, idx, func() (int, int) { return r.IntN(3) - 1, r.IntN(3) - 1 })
			return lastX
		},
		Forward: n.Forward, Backward: backward, AfterUpdate: n.ClipLatent, Extra: reg,
		EndEpoch: func(ep int, loss float64) error {
			defer n.SetTrain(true)
			kernelAcc := func() (err error) {
				n.SetTrain(false)
				bk, err := n.Export()
				if err == nil {
					acc, err = BinaryAccuracy(bk, test)
				}
				return err
			}
			if cfg.RecalBN > 0 {
				if err := kernelAcc(); err != nil {
					return err
				}
				fmt.Fprintf(log, "epoch %d: test accuracy with the running batch-norm statistics %.2f%%\n", ep+1, 100*acc)
				if err := n.RecalibrateBN(train, cfg.RecalBN, cfg.Batch); err != nil {
					return err
				}
			}
			if err := kernelAcc(); err != nil {
				return err
			}
			fa, _, err := n.FloatAccuracy(test)
			if err != nil {
				return err
			}
			fmt.Fprintf(log, "epoch %d: train loss %.4f, test accuracy through the binary kernels %.2f%% (float first and last layers %.2f%%)\n", ep+1, loss, 100*acc, 100*fa)
			if cfg.CkptPath != "" {
				if err := ck.save(ep + 1); err != nil {
					return err
				}
			}
			return nil
		},
	}.Run(ctx, train, log)
	n.SetTrain(false)
	if err == nil && start >= cfg.Epochs { // the checkpoint had every epoch
		bk, err := n.Export()
		if err != nil {
			return 0, err
		}
		fa, _, err := n.FloatAccuracy(test)
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(log, "float first and last layers: %.2f%%\n", 100*fa)
		return BinaryAccuracy(bk, test)
	}
	return acc, err
}

// FloatAccuracy is the accuracy of the eval-mode float forward (first and
// last layers unquantized), for comparison with the kernel path.
func (n *BinaryNet) FloatAccuracy(d *mnist.Dataset) (float64, []int, error) {
	n.SetTrain(false)
	var preds []int
	right := 0
	err := nn.InBatches(d.N, 250, func(idx []int) error {
		lg, err := n.Forward(binaryInput(d, idx, nil))
		if err != nil {
			return err
		}
		for b, j := range idx {
			p := nn.Argmax(lg.D[b*10 : (b+1)*10])
			preds = append(preds, p)
			if p == int(d.Labels[j]) {
				right++
			}
		}
		return nil
	})
	return float64(right) / float64(d.N), preds, err
}
