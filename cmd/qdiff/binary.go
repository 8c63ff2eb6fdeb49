package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/qdiff/qdiff/models/bnn"
	"github.com/qdiff/qdiff/models/classifier"
)

func init() {
	register("train-binary", "train one binary MNIST network (baseline, -lcr, -cmim, -london); test accuracy through the XNOR kernels", trainBinary)
}

// binaryFlags registers the training flags shared by train-binary and binary-table.
func binaryFlags(fs *flag.FlagSet, cfg *bnn.BinaryTrain, teacher *string) {
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "passes over the training set")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "images per step")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "peak learning rate")
	fs.IntVar(&cfg.Limit, "limit", 0, "train on the first N images only (0: all)")
	fs.StringVar(teacher, "teacher", "models/zoo/classifier.fp32.safetensors", "FP classifier: LCR's counterpart and LONDON's teacher")
}

func trainBinary(args []string) error {
	cfg := bnn.BinaryTrain{Epochs: 10, Batch: 64, LR: 2e-3, Seed: 1}
	var teacher, out string
	fs := flag.NewFlagSet("train-binary", flag.ContinueOnError)
	binaryFlags(fs, &cfg, &teacher)
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of weights and batches")
	fs.Float64Var(&cfg.LCR, "lcr", 0, "weight of the LCR-BNN retention loss (0: off)")
	fs.Float64Var(&cfg.CMIM, "cmim", 0, "weight of the CMIM contrastive loss (0: off)")
	fs.Float64Var(&cfg.LONDON, "london", 0, "LONDON: share of the teacher's soft labels in the logit loss, in (0,1) (0: off)")
	fs.StringVar(&out, "o", "", "write the exported network here (safetensors)")
	fs.IntVar(&cfg.RecalBN, "recal-bn", 50, "recompute batch-norm statistics over this many training batches before each export (0: off)")
	fs.StringVar(&cfg.CkptPath, "ckpt", "", "checkpoint after every epoch to this file, resuming from it when it exists")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkBinaryCfg(cfg); err != nil {
		return err
	}
	train, test, err := mnistSplits()
	if err != nil {
		return err
	}
	if cfg.LCR > 0 || cfg.LONDON > 0 {
		if cfg.Teacher, err = classifier.LoadClassifier(teacher); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	n := bnn.NewBinaryNet(cfg.Seed)
	acc, err := bnn.TrainBinary(ctx, n, cfg, train, test, os.Stdout)
	if err != nil {
		return err
	}
	fmt.Printf("%s seed %d: test accuracy through the binary kernels: %.2f%%\n", cfg.Method(), cfg.Seed, 100*acc)
	if out != "" {
		return writeBinary(n, cfg, acc, out)
	}
	return nil
}

func checkBinaryCfg(cfg bnn.BinaryTrain) error {
	if cfg.Epochs < 1 || cfg.Batch < 1 || cfg.Limit < 0 || cfg.RecalBN < 0 {
		return fmt.Errorf("-epochs and -batch must be positive, -limit and -recal-bn not negative")
	}
	if cfg.LCR < 0 || cfg.CMIM < 0 || cfg.LONDON < 0 || cfg.LONDON >= 1 {
		return fmt.Errorf("-lcr and -cmim must be >= 0, -london in [0, 1)")
	}
	return nil
}

// writeBinary exports n to the kernels' format with its provenance.
func writeBinary(n *bnn.BinaryNet, cfg bnn.BinaryTrain, acc float64, path string) error {
	bk, err := n.Export()
	if err != nil {
		return err
	}
	b, err := bk.Encode(map[string]string{
		"method": cfg.Method(), "seed": fmt.Sprint(cfg.Seed), "epochs": fmt.Sprint(cfg.Epochs),
		"train_images": fmt.Sprint(cfg.Limit), "test_accuracy": fmt.Sprintf("%.4f", acc),
	})
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d bytes)\n", path, len(b))
	return nil
}
