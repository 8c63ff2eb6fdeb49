package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/qdiff/qdiff/models"
)

func init() {
	register("sample", "draw a grid of digits from an FP U-Net (PNG, one row per class)", sample)
	register("export-unet", "write a checkpoint's EMA weights as a zoo model", exportUNet)
	register("eval", "FD-MNIST, conditional accuracy and IS analogue of an FP U-Net", eval)
	register("plot-loss", "draw a training loss CSV as a PNG", plotLoss)
}

type sampleFlags struct {
	model    string
	steps    int
	eta      float64
	guidance float64
	ddpm     bool
	seed     uint64
}

func (s *sampleFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&s.model, "model", "models/zoo/unet.fp32.safetensors", "U-Net weights (zoo model or training checkpoint)")
	fs.IntVar(&s.steps, "steps", 50, "DDIM steps (1..1000)")
	fs.Float64Var(&s.eta, "eta", 0, "DDIM eta")
	fs.Float64Var(&s.guidance, "guidance", 3, "classifier-free guidance scale (1 = none)")
	fs.BoolVar(&s.ddpm, "ddpm", false, "ancestral DDPM over all 1000 steps instead of DDIM")
	fs.Uint64Var(&s.seed, "seed", 1, "noise seed")
}

func (s *sampleFlags) options(progress bool) (models.SampleOptions, error) {
	if !s.ddpm && (s.steps < 1 || s.steps > 1000) {
		return models.SampleOptions{}, fmt.Errorf("-steps %d outside 1..1000", s.steps)
	}
	if s.guidance < 0 || s.guidance > 50 {
		return models.SampleOptions{}, fmt.Errorf("-guidance %v outside 0..50", s.guidance)
	}
	o := models.SampleOptions{Steps: s.steps, Eta: s.eta, Guidance: s.guidance, DDPM: s.ddpm}
	if progress {
		t0 := time.Now()
		o.Progress = func(i, n int, _ *models.T) {
			if (i+1)%max(n/10, 1) == 0 || i+1 == n {
				fmt.Fprintf(os.Stderr, "step %d/%d (%s)\n", i+1, n, time.Since(t0).Round(time.Millisecond))
			}
		}
	}
	return o, nil
}

func sample(args []string) error {
	var sf sampleFlags
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	sf.add(fs)
	perClass := fs.Int("per-class", 10, "images per digit (one row per digit)")
	out := fs.String("o", "samples.png", "output PNG")
	raw := fs.Bool("raw", false, "with a checkpoint, use its current weights rather than the EMA")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *perClass < 1 || *perClass > 100 {
		return fmt.Errorf("-per-class %d outside 1..100", *perClass)
	}
	o, err := sf.options(true)
	if err != nil {
		return err
	}
	load := models.LoadUNet
	if *raw {
		load = models.LoadUNetRaw
	}
	u, _, err := load(sf.model)
	if err != nil {
		return err
	}
	var labels []int
	for d := 0; d < 10; d++ {
		for range *perClass {
			labels = append(labels, d)
		}
	}
	x, err := models.DefaultSchedule().Sample(u, 28, labels, 10, o, rand.New(rand.NewPCG(sf.seed, 0x5a)))
	if err != nil {
		return err
	}
	g, err := models.GridImage(x, 10, *perClass, 2)
	if err != nil {
		return err
	}
	if err := models.WritePNG(*out, g); err != nil {
		return err
	}
	fmt.Printf("wrote %s\n", *out)
	return nil
}

func exportUNet(args []string) error {
	fs := flag.NewFlagSet("export-unet", flag.ContinueOnError)
	ckpt := fs.String("ckpt", "models/checkpoints/unet.ckpt.safetensors", "training checkpoint")
	out := fs.String("o", "models/zoo/unet.fp32.safetensors", "output model")
	raw := fs.Bool("raw", false, "export the current weights instead of the EMA (for an unfinished run)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return models.ExportUNet(*ckpt, *out, *raw)
}

func eval(args []string) error {
	var sf sampleFlags
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	sf.add(fs)
	cls := fs.String("classifier", "models/zoo/classifier.fp32.safetensors", "FP classifier")
	n := fs.Int("n", 10000, "samples (n/10 per class); 0 with -floor reports only the floor")
	batch := fs.Int("batch", 100, "samples per sampler batch")
	floor := fs.Bool("floor", false, "also report FD-MNIST between the MNIST train and test sets")
	if err := fs.Parse(args); err != nil {
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

func plotLoss(args []string) error {
	fs := flag.NewFlagSet("plot-loss", flag.ContinueOnError)
	in := fs.String("csv", "models/checkpoints/unet.loss.csv", "step,loss CSV")
	out := fs.String("o", "loss.png", "output PNG")
	window := fs.Int("window", 100, "moving-average window (steps)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ys, err := readLossCSV(*in)
	if err != nil {
		return err
	}
	return models.WritePNG(*out, models.LossPlot(ys, max(*window, 1), 800, 400))
}
