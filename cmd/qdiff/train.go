package main

import (
	"context"
	"flag"
	"os"
	"os/signal"
	"syscall"

	"github.com/qdiff/qdiff/models/unet"
)

func init() {
	register("train-diffusion", "train the class-conditional DDPM U-Net on MNIST (resumes from -ckpt)", trainDiffusion)
}

func trainDiffusion(args []string) error {
	cfg := unet.DefaultTrain
	fs := flag.NewFlagSet("train-diffusion", flag.ContinueOnError)
	fs.IntVar(&cfg.Steps, "steps", cfg.Steps, "total optimizer steps")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "images per step")
	fs.Float64Var(&cfg.LR, "lr", cfg.LR, "peak learning rate")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of initial weights, batches and noise")
	fs.StringVar(&cfg.CkptPath, "ckpt", "models/checkpoints/unet.ckpt.safetensors", "checkpoint file, resumed from if present")
	fs.DurationVar(&cfg.CkptEvery, "ckpt-every", cfg.CkptEvery, "wall time between checkpoints")
	fs.IntVar(&cfg.LogEvery, "log-every", cfg.LogEvery, "steps between progress lines")
	fs.StringVar(&cfg.LossLog, "loss-log", "models/checkpoints/unet.loss.csv", "CSV of step,loss appended during training (empty: none)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := mnistTrain()
	if err != nil {
		return err
	}
	tr, err := unet.NewTrainer(cfg, data)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return tr.Run(ctx, os.Stdout)
}
