package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/qdiff/qdiff/models/classifier"
	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
)

func init() {
	register("train-classifier", "train the FP MNIST classifier (teacher and metric features)", trainClassifier)
}

func trainClassifier(args []string) error {
	cfg := classifier.ClassifierTrain{Epochs: 8, Batch: 128, LR: 2e-3, Seed: 1}
	fs := flag.NewFlagSet("train-classifier", flag.ContinueOnError)
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "passes over the training set")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "images per step")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "peak learning rate")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of weights and batches")
	out := fs.String("o", "models/zoo/classifier.fp32.safetensors", "output weights")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	train, test, err := mnistSplits()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c := classifier.NewClassifier(cfg.Seed)
	t0 := time.Now()
	acc, err := classifier.TrainClassifier(ctx, c, cfg, train, test, os.Stdout)
	if err != nil {
		return err
	}
	if err := nn.SaveParams(*out, c.Params(), classifier.ClassifierMeta(acc, cfg, time.Since(t0))); err != nil {
		return err
	}
	fmt.Printf("wrote %s: test accuracy %.2f%%\n", *out, 100*acc)
	return nil
}

// mnistSplits loads the MNIST training and test sets from the module cache.
// mnistTrain loads the 60,000 MNIST training digits.
func mnistTrain() (*mnist.Dataset, error) {
	dir, err := mnist.MNISTDir()
	if err != nil {
		return nil, err
	}
	return mnist.LoadMNIST(dir, "train")
}

func mnistSplits() (train, test *mnist.Dataset, err error) {
	dir, err := mnist.MNISTDir()
	if err != nil {
		return nil, nil, err
	}
	if train, err = mnist.LoadMNIST(dir, "train"); err != nil {
		return nil, nil, err
	}
	test, err = mnist.LoadMNIST(dir, "t10k")
	return train, test, err
}
