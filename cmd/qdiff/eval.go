package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/qdiff/qdiff/models"
)

func init() {
	register("eval", "FD-MNIST, conditional accuracy and IS analogue of an FP U-Net", eval)
}

func eval(args []string) error {
	var sf sampleFlags
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	sf.add(fs)
	cls := fs.String("classifier", "models/zoo/classifier.fp32.safetensors", "FP classifier")
	n := fs.Int("n", 10000, "samples (n/10 per class); 0 with -floor reports only the floor")
	batch := fs.Int("batch", 100, "samples per sampler batch")
	floor := fs.Bool("floor", false, "also report FD-MNIST between the MNIST train and test sets")
	floorN := fs.Int("floor-n", 0, "with -floor: also the floor for only the first N training images (the small-sample bias at N)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	o, err := sf.options(false)
	if err != nil {
		return err
	}
	c, err := models.LoadClassifier(*cls)
	if err != nil {
		return err
	}
	var u *models.UNet
	if *n > 0 || !*floor {
		if u, _, err = models.LoadUNet(sf.model); err != nil {
			return err
		}
	}
	dir, err := models.MNISTDir()
	if err != nil {
		return err
	}
	test, err := models.LoadMNIST(dir, "t10k")
	if err != nil {
		return err
	}
	ref, err := models.DatasetStats(c, test)
	if err != nil {
		return err
	}
	if *floor {
		train, err := models.LoadMNIST(dir, "train")
		if err != nil {
			return err
		}
		tr, err := models.DatasetStats(c, train)
		if err != nil {
			return err
		}
		fd, err := models.FrechetDistance(tr, ref)
		if err != nil {
			return err
		}
		fmt.Printf("FD-MNIST floor (train vs test, %d vs %d images): %.3f\n", train.N, test.N, fd)
		if *floorN >= 10 && *floorN < train.N {
			sub := &models.Dataset{N: *floorN, Rows: 28, Cols: 28, Pixels: train.Pixels[:*floorN*784], Labels: train.Labels[:*floorN]}
			st, err := models.DatasetStats(c, sub)
			if err != nil {
				return err
			}
			if fd, err = models.FrechetDistance(st, ref); err != nil {
				return err
			}
			fmt.Printf("FD-MNIST floor at N=%d (the first %d training images vs test): %.3f\n", *floorN, *floorN, fd)
		}
		if *n == 0 {
			return nil
		}
	}
	res, err := models.Evaluate(u, models.DefaultSchedule(), c, ref, *n, *batch, o, sf.seed, os.Stderr)
	if err != nil {
		return err
	}
	sampler := fmt.Sprintf("DDIM %d (eta %g)", sf.steps, sf.eta)
	if sf.ddpm {
		sampler = "DDPM 1000"
	}
	fmt.Printf("| %s | %s | guidance %g | N=%d | FD-MNIST %.3f | cond. acc. %.2f%% | IS %.3f | %.0f s |\n",
		sf.model, sampler, sf.guidance, res.N, res.FD, 100*res.CondAcc, res.IS, res.Seconds)
	return nil
}
