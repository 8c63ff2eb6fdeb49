package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
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
	from := fs.String("from", "", "checkpoint to continue from when -ckpt does not exist yet (it is copied to -ckpt; the original stays as it is)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from != "" {
		if err := startFrom(*from, cfg.CkptPath); err != nil {
			return err
		}
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

// startFrom copies the checkpoint from to ckpt unless ckpt exists, so a run
// can continue another one's state under a new name.
func startFrom(from, ckpt string) error {
	if ckpt == "" {
		return errors.New("train-diffusion: -from needs -ckpt")
	}
	if _, err := os.Stat(ckpt); err == nil {
		return nil // resuming the new run itself
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	b, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("train-diffusion: -from: %w", err)
	}
	tmp := ckpt + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, ckpt); err != nil {
		return err
	}
	fmt.Printf("train: %s starts from %s\n", ckpt, from)
	return nil
}
