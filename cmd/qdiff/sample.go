package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/qdiff/qdiff/models/engine"
	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/plot"
	"github.com/qdiff/qdiff/models/unet"
)

func init() {
	register("sample", "draw a grid of digits from an FP U-Net (PNG, one row per class)", sample)
}

type sampleFlags struct {
	model    string
	steps    int
	eta      float64
	guidance float64
	ddpm     bool
	seed     uint64
	spacing  float64
}

func (s *sampleFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&s.model, "model", "models/zoo/unet.fp32.safetensors", "U-Net weights (zoo model or training checkpoint)")
	fs.IntVar(&s.steps, "steps", 50, "DDIM steps (1..1000)")
	fs.Float64Var(&s.eta, "eta", 0, "DDIM eta")
	fs.Float64Var(&s.guidance, "guidance", 3, "classifier-free guidance scale (1 = none)")
	fs.BoolVar(&s.ddpm, "ddpm", false, "ancestral DDPM over all 1000 steps instead of DDIM")
	fs.Uint64Var(&s.seed, "seed", 1, "noise seed")
	fs.Float64Var(&s.spacing, "spacing", 1, "DDIM time-step spacing power: steps at (k/(steps-1))^p of 999 (1 uniform, as the page; 2 quadratic, more steps near t = 0)")
}

func (s *sampleFlags) options(progress bool) (unet.SampleOptions, error) {
	if !s.ddpm && (s.steps < 1 || s.steps > 1000) {
		return unet.SampleOptions{}, fmt.Errorf("-steps %d outside 1..1000", s.steps)
	}
	if s.guidance < 0 || s.guidance > 50 {
		return unet.SampleOptions{}, fmt.Errorf("-guidance %v outside 0..50", s.guidance)
	}
	if !s.ddpm {
		// the sampler's own check, before any model is loaded
		if _, err := engine.DefaultSchedule().DDIMTimestepsPow(s.steps, s.spacing); err != nil {
			return unet.SampleOptions{}, fmt.Errorf("-spacing %v: %w", s.spacing, err)
		}
	}
	o := unet.SampleOptions{Steps: s.steps, Eta: s.eta, Guidance: s.guidance, DDPM: s.ddpm, Spacing: s.spacing}
	if progress {
		t0 := time.Now()
		o.Progress = func(i, n int, _ *nn.T) {
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
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *perClass < 1 || *perClass > 100 {
		return fmt.Errorf("-per-class %d outside 1..100", *perClass)
	}
	o, err := sf.options(true)
	if err != nil {
		return err
	}
	load := unet.LoadUNet
	if *raw {
		load = unet.LoadUNetRaw
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
	x, err := unet.DefaultSchedule().Sample(u, 28, labels, 10, o, rand.New(rand.NewPCG(sf.seed, 0x5a)))
	if err != nil {
		return err
	}
	g, err := plot.GridImage(x, 10, *perClass, 2)
	if err != nil {
		return err
	}
	if err := plot.WritePNG(*out, g); err != nil {
		return err
	}
	fmt.Printf("wrote %s\n", *out)
	return nil
}
