package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/qdiff/qdiff/models"
)

func init() {
	register("prune", "Fourier-guided magnitude pruning of the FP classifier: plain fine-tuning vs frequency distillation", prune)
	register("prune-unet", "magnitude-prune the FP U-Net (no retraining) into a zoo model, for qdiff eval", pruneUNet)
}

func pruneUNet(args []string) error {
	fs := flag.NewFlagSet("prune-unet", flag.ContinueOnError)
	in := fs.String("model", "models/zoo/unet.fp32.safetensors", "FP U-Net")
	sp := fs.Float64("sparsity", 0.5, "fraction of conv and linear weights set to zero, in [0, 1)")
	out := fs.String("o", "unet.pruned.safetensors", "output zoo model")
	if err := fs.Parse(args); err != nil {
		return err
	}
	nz, total, err := models.PruneUNet(*in, *out, *sp)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s: %d of %d weights left (%.1f%%)\n", *out, nz, total, 100*float64(nz)/float64(total))
	return nil
}

func prune(args []string) error {
	cfg := models.PruneTrain{Epochs: 1, Batch: 64, LR: 1e-3, Seed: 1}
	fs := flag.NewFlagSet("prune", flag.ContinueOnError)
	teacher := fs.String("model", "models/zoo/classifier.fp32.safetensors", "FP classifier to prune (also the teacher)")
	levels := fs.String("sparsity", "0.5,0.75,0.9", "comma-separated sparsities in [0, 1)")
	out := fs.String("o", "models/zoo/classifier.prune.md", "markdown table written here")
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "retraining passes")
	fs.IntVar(&cfg.Limit, "limit", 0, "retrain on the first N images only (0: all)")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "peak retraining learning rate")
	kd := fs.Float64("freq-kd", 1, "weight of the frequency distillation loss")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var sps []float64
	for _, s := range strings.Split(*levels, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
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
	tc, err := models.LoadClassifier(*teacher)
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
			c, err := models.LoadClassifier(*teacher)
			if err != nil {
				return err
			}
			m, err := models.MagnitudePrune(c.Params(), sp)
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
			if accs[k], err = models.RetrainPruned(ctx, c, tc, m, c2, train, test, os.Stdout); err != nil {
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
