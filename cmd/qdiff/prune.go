package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/qdiff/qdiff/models/classifier"
	"github.com/qdiff/qdiff/models/prune"
	"github.com/qdiff/qdiff/models/unet"
)

func init() {
	register("prune", "Fourier-guided magnitude pruning of the FP classifier: plain fine-tuning vs frequency distillation", pruneClassifier)
	register("prune-unet", "magnitude-prune the FP U-Net into a zoo model, optionally retrained (plain or with frequency distillation)", pruneUNet)
}

func pruneUNet(args []string) error {
	fs := flag.NewFlagSet("prune-unet", flag.ContinueOnError)
	in := fs.String("model", "models/zoo/unet.fp32.safetensors", "FP U-Net")
	sp := fs.Float64("sparsity", 0.5, "fraction of conv and linear weights set to zero, in [0, 1)")
	out := fs.String("o", "unet.pruned.safetensors", "output zoo model")
	cfg := unet.DefaultTrain
	cfg.Steps, cfg.LR, cfg.MinLR, cfg.Warmup, cfg.EMADecay, cfg.LogEvery = 0, 2e-4, 1e-5, 20, 0.99, 10
	fs.IntVar(&cfg.Steps, "retrain-steps", cfg.Steps, "optimizer steps of retraining after pruning (0: none)")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "images per retraining step")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "peak retraining learning rate")
	fs.Float64Var(&cfg.EMADecay, "ema", cfg.EMADecay, "decay of the weight average that is exported")
	fs.StringVar(&cfg.CkptPath, "ckpt", "", "retraining checkpoint, resumed from if present (default: <o>.ckpt)")
	kd := fs.Float64("freq-kd", 0, "weight of frequency-domain distillation from the unpruned net (0: plain fine-tuning)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *sp < 0 || *sp >= 1 || cfg.Steps < 0 || *kd < 0 {
		return fmt.Errorf("-sparsity must be in [0, 1), -retrain-steps and -freq-kd not negative")
	}
	if cfg.Steps == 0 {
		nz, total, err := prune.PruneUNet(*in, *out, *sp)
		if err != nil {
			return err
		}
		fmt.Printf("wrote %s: %d of %d weights left (%.1f%%)\n", *out, nz, total, 100*float64(nz)/float64(total))
		return nil
	}
	if cfg.CkptPath == "" {
		cfg.CkptPath = *out + ".ckpt"
	}
	cfg.Warmup = min(cfg.Warmup, cfg.Steps/5)
	data, err := mnistTrain()
	if err != nil {
		return err
	}
	tr, err := prune.NewPrunedTrainer(cfg, data, *in, *sp, *kd)
	if err != nil {
		return err
	}
	nz, total := tr.Mask.NonZero()
	fmt.Printf("pruned to %d of %d weights (%.1f%%); retraining %d steps, freq-kd %g\n", nz, total, 100*float64(nz)/float64(total), cfg.Steps, *kd)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := tr.Run(ctx, os.Stdout); err != nil {
		return err
	}
	if tr.Step < cfg.Steps {
		return fmt.Errorf("stopped at step %d of %d; rerun the same command to resume from %s", tr.Step, cfg.Steps, cfg.CkptPath)
	}
	if err := prune.ExportPrunedUNet(cfg.CkptPath, *out, *sp, *kd); err != nil {
		return err
	}
	fmt.Printf("wrote %s\n", *out)
	return nil
}

func pruneClassifier(args []string) error {
	cfg := prune.PruneTrain{Epochs: 1, Batch: 64, LR: 1e-3, Seed: 1}
	fs := flag.NewFlagSet("prune", flag.ContinueOnError)
	teacher := fs.String("model", "models/zoo/classifier.fp32.safetensors", "FP classifier to prune (also the teacher)")
	levels := fs.String("sparsity", "0.5,0.75,0.9", "comma-separated sparsities in [0, 1)")
	out := fs.String("o", "models/zoo/classifier.prune.md", "markdown table written here")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "retraining passes")
	fs.IntVar(&cfg.Limit, "limit", 0, "retrain on the first N images only (0: all)")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "peak retraining learning rate")
	kd := fs.Float64("freq-kd", 1, "weight of the frequency distillation loss")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var sps []float64
	for _, s := range strings.Split(*levels, ",") {
		v, err := parseFinite(strings.TrimSpace(s))
		if err != nil || v < 0 || v >= 1 {
			return fmt.Errorf("-sparsity: %q is not a number in [0, 1)", s)
		}
		sps = append(sps, v)
	}
	if cfg.Epochs < 1 || cfg.Limit < 0 || *kd <= 0 {
		return fmt.Errorf("-epochs and -freq-kd must be positive, -limit not negative")
	}
	train, test, err := mnistSplits()
	if err != nil {
		return err
	}
	tc, err := classifier.LoadClassifier(*teacher)
	if err != nil {
		return err
	}
	base, err := tc.Accuracy(test)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	imgs := "all 60,000"
	if cfg.Limit > 0 {
		imgs = fmt.Sprintf("the first %d", cfg.Limit)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Magnitude pruning of the FP classifier (unpruned: %.2f%% test accuracy), layer by layer over conv and linear weights; retraining %d epoch(s) on %s training images, peak lr %g, seed %d; frequency distillation weight %g, band growing from DC to all frequencies over the run. MNIST test accuracy, 10,000 images.\n\n",
		100*base, cfg.Epochs, imgs, cfg.LR, cfg.Seed, *kd)
	b.WriteString("| sparsity | non-zero weights | pruned, no retraining % | plain fine-tuning % | frequency distillation % |\n|---|---|---|---|---|\n")
	for _, sp := range sps {
		row := []string{fmt.Sprintf("%.0f%%", 100*sp)}
		var nz, total int
		var acc0 float64
		accs := make([]float64, 2)
		for k, w := range []float64{0, *kd} {
			c, err := classifier.LoadClassifier(*teacher)
			if err != nil {
				return err
			}
			m, err := prune.MagnitudePrune(c.Params(), sp)
			if err != nil {
				return err
			}
			nz, total = m.NonZero()
			if k == 0 {
				if acc0, err = c.Accuracy(test); err != nil {
					return err
				}
			}
			c2 := cfg
			c2.FreqKD = w
			t0 := time.Now()
			fmt.Printf("== sparsity %.2f, freq-kd %g\n", sp, w)
			if accs[k], err = prune.RetrainPruned(ctx, c, tc, m, c2, train, test, os.Stdout); err != nil {
				return err
			}
			fmt.Printf("   %.2f%% in %s\n", 100*accs[k], time.Since(t0).Round(time.Second))
		}
		row = append(row, fmt.Sprintf("%d / %d", nz, total), fmt.Sprintf("%.2f", 100*acc0), fmt.Sprintf("%.2f", 100*accs[0]), fmt.Sprintf("%.2f", 100*accs[1]))
		b.WriteString("| " + strings.Join(row, " | ") + " |\n")
	}
	fmt.Print(b.String())
	return os.WriteFile(*out, []byte(b.String()), 0o644)
}
