package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/qdiff/qdiff/models"
)

func init() {
	register("train-binary", "train the baseline binary MNIST network; test accuracy through the XNOR kernels", trainBinary)
}

func trainBinary(args []string) error {
	cfg := models.BinaryTrain{Epochs: 10, Batch: 64, LR: 2e-3, Seed: 1}
	fs := flag.NewFlagSet("train-binary", flag.ContinueOnError)
	fs.IntVar(&cfg.Epochs, "epochs", cfg.Epochs, "passes over the training set")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "images per step")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "peak learning rate")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of weights and batches")
	fs.IntVar(&cfg.Limit, "limit", 0, "train on the first N images only (0: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if cfg.Epochs < 1 || cfg.Batch < 1 {
		return fmt.Errorf("-epochs and -batch must be positive")
	}
	train, test, err := mnistSplits()
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	acc, err := models.TrainBinary(ctx, models.NewBinaryNet(cfg.Seed), cfg, train, test, os.Stdout)
	if err != nil {
		return err
	}
	fmt.Printf("test accuracy through the binary kernels: %.2f%%\n", 100*acc)
	return nil
}
