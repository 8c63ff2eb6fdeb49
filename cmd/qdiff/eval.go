package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/qdiff/qdiff/models/engine"
	"github.com/qdiff/qdiff/models/st"

	"github.com/qdiff/qdiff/models/classifier"
	"github.com/qdiff/qdiff/models/metrics"
	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/unet"
)

func init() {
	register("eval", "FD-MNIST, conditional accuracy, IS analogue and pixel statistics of a U-Net (FP zoo model, checkpoint or engine file)", eval)
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
	c, err := classifier.LoadClassifier(*cls)
	if err != nil {
		return err
	}
	var m unet.EpsModel
	if *n > 0 || !*floor {
		if m, err = loadEps(sf.model); err != nil {
			return err
		}
	}
	dir, err := mnist.MNISTDir()
	if err != nil {
		return err
	}
	test, err := mnist.LoadMNIST(dir, "t10k")
	if err != nil {
		return err
	}
	ref, err := metrics.DatasetStats(c, test)
	if err != nil {
		return err
	}
	if *floor {
		train, err := mnist.LoadMNIST(dir, "train")
		if err != nil {
			return err
		}
		tr, err := metrics.DatasetStats(c, train)
		if err != nil {
			return err
		}
		fd, err := metrics.FrechetDistance(tr, ref)
		if err != nil {
			return err
		}
		fmt.Printf("FD-MNIST floor (train vs test, %d vs %d images): %.3f\n", train.N, test.N, fd)
		if *floorN >= 10 && *floorN < train.N {
			sub := &mnist.Dataset{N: *floorN, Rows: 28, Cols: 28, Pixels: train.Pixels[:*floorN*784], Labels: train.Labels[:*floorN]}
			st, err := metrics.DatasetStats(c, sub)
			if err != nil {
				return err
			}
			if fd, err = metrics.FrechetDistance(st, ref); err != nil {
				return err
			}
			fmt.Printf("FD-MNIST floor at N=%d (the first %d training images vs test): %.3f\n", *floorN, *floorN, fd)
		}
		if *n == 0 {
			return nil
		}
	}
	res, err := metrics.Evaluate(m, unet.DefaultSchedule(), c, ref, *n, *batch, o, sf.seed, os.Stderr)
	if err != nil {
		return err
	}
	sampler := fmt.Sprintf("DDIM %d (eta %g)", sf.steps, sf.eta)
	if sf.spacing != 1 {
		sampler = fmt.Sprintf("DDIM %d (eta %g, spacing power %g)", sf.steps, sf.eta, sf.spacing)
	}
	if sf.ddpm {
		sampler = "DDPM 1000"
	}
	fmt.Printf("| %s | %s | guidance %g | N=%d | FD-MNIST %.3f | cond. acc. %.2f%% | IS %.3f | %.0f s |\n",
		sf.model, sampler, sf.guidance, res.N, res.FD, 100*res.CondAcc, res.IS, res.Seconds)
	fmt.Println()
	printPixelStats(os.Stdout, []string{"samples", "MNIST test digits"}, res.Pixels, metrics.ImagePixelStats(test.Pixels, 28))
	return nil
}

// printPixelStats writes a table of per-image pixel statistics, one row per
// named set.
func printPixelStats(w io.Writer, names []string, stats ...metrics.PixelStats) {
	fmt.Fprintln(w, "| per image | images | pixels = 0 | faint (1..31) | >= 128 | extra blobs (>= 64, 8-connected) |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|")
	for i, p := range stats {
		fmt.Fprintf(w, "| %s | %d | %.1f | %.1f | %.1f | %.3f |\n", names[i], p.Images, p.Zero, p.Faint, p.Bright, p.ExtraBlobs)
	}
}

// loadEps reads a noise-prediction model: an engine file (FP32, W8A8 or
// W4A8, run natively through the engine) or a zoo model or checkpoint of
// the training U-Net.
func loadEps(path string) (unet.EpsModel, error) {
	f, err := st.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if _, ok := f.Meta["qdiff.engine_config"]; !ok {
		u, _, err := unet.LoadUNet(path)
		return u, err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	n, err := engine.Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return unet.NewEngineEps(n), nil
}
