package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/qdiff/qdiff/models/engine"
	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/ptq"
	"github.com/qdiff/qdiff/models/unet"
)

func init() {
	register("quantize", "PTQ4DM post-training quantization of the FP U-Net to W8A8 or W4A8 (or export FP32 for the engine)", quantize)
}

func quantize(args []string) error {
	fs := flag.NewFlagSet("quantize", flag.ContinueOnError)
	model := fs.String("model", "models/zoo/unet.fp32.safetensors", "FP U-Net (zoo model or checkpoint)")
	precS := fs.String("prec", "w8a8", "fp32, w8a8 or w4a8")
	calib := fs.String("calib", "ndtc", "calibration inputs: ndtc (PTQ4DM), uniform (uniform t), real (MNIST images plus noise)")
	n := fs.Int("n", 1024, "calibration inputs")
	mu := fs.Float64("mu", 400, "NDTC mean time step")
	sigma := fs.Float64("sigma", 400, "NDTC standard deviation")
	steps := fs.Int("traj-steps", 20, "DDIM steps of each calibration trajectory")
	guidance := fs.Float64("guidance", 3, "guidance of the calibration trajectories")
	search := fs.Bool("search", true, "choose activation ranges by layer-output MSE (false: min-max)")
	keep := fs.Int("keep", 32, "calibration inputs each layer's range search sees")
	seed := fs.Uint64("seed", 1, "calibration seed")
	out := fs.String("o", "", "output weights (default models/zoo/unet.<prec>.safetensors)")
	keep8 := fs.String("keep8", "in,out", "w4a8: layers whose weights stay int8, comma-separated (empty: none)")
	cache := fs.String("calib-cache", calibCacheDir(), "folder caching calibration sets by model and options (empty: none)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	prec, err := engine.ParsePrecision(*precS)
	if err != nil {
		return err
	}
	if *out == "" {
		*out = "models/zoo/unet." + prec.String() + ".safetensors"
	}
	if *n < 1 || *steps < 1 {
		return fmt.Errorf("-n and -traj-steps must be positive")
	}
	u, _, err := unet.LoadUNet(*model)
	if err != nil {
		return err
	}
	fp := u.ToEngine()
	meta := map[string]string{"qdiff.source": *model}
	net := fp
	if prec != engine.FP32 {
		cfg := ptq.PTQConfig{Prec: prec, Search: *search, Keep: *keep}
		if prec == engine.W4A8 && *keep8 != "" {
			cfg.Keep8 = strings.Split(*keep8, ",")
			meta["qdiff.int8_layers"] = *keep8
		}
		if _, err := ptq.CheckConfig(fp, cfg); err != nil {
			return fmt.Errorf("-keep8: %w", err)
		}
		t0 := time.Now()
		s := unet.DefaultSchedule()
		var inputs []ptq.CalibInput
		switch *calib {
		case "ndtc", "uniform":
			ts := ptq.NDTC(*mu, *sigma)
			if *calib == "uniform" {
				ts = ptq.UniformT()
			}
			key, kerr := ptq.FileKey(*model)
			if kerr != nil {
				return kerr
			}
			key = fmt.Sprintf("%s|%s|n=%d|mu=%g|sigma=%g|steps=%d|guidance=%g|seed=%d", key, *calib, *n, *mu, *sigma, *steps, *guidance, *seed)
			var hit bool
			inputs, hit, err = ptq.CachedCalibration(*cache, key, func() ([]ptq.CalibInput, error) {
				return ptq.GenerateCalibration(u, s, *n, 64, *steps, *guidance, ts, *seed, os.Stderr)
			})
			if hit {
				fmt.Fprintf(os.Stderr, "calibration set from the cache in %s\n", *cache)
			}
		case "real":
			dir, derr := mnist.MNISTDir()
			if derr != nil {
				return derr
			}
			d, derr := mnist.LoadMNIST(dir, "train")
			if derr != nil {
				return derr
			}
			inputs = ptq.RealNoisedCalibration(d, s, *n, *seed)
		default:
			return fmt.Errorf("unknown -calib %q (want ndtc, uniform or real)", *calib)
		}
		if err != nil {
			return err
		}
		if net, err = ptq.Quantize(fp, inputs, cfg, os.Stderr); err != nil {
			return err
		}
		method := "min-max"
		if *search {
			method = "layer-output MSE search"
		}
		meta["qdiff.calibration"] = *calib
		meta["qdiff.calibration_n"] = strconv.Itoa(*n)
		meta["qdiff.calibration_ndtc"] = fmt.Sprintf("mu=%g sigma=%g traj_steps=%d guidance=%g seed=%d", *mu, *sigma, *steps, *guidance, *seed)
		meta["qdiff.activation_ranges"] = method
		meta["qdiff.weights"] = "symmetric per output channel, scale by weight MSE over clipping ratios 0.5..1"
		meta["qdiff.calibration_seconds"] = strconv.FormatFloat(time.Since(t0).Seconds(), 'f', 0, 64)
	}
	b, err := net.Encode(meta)
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, b, 0o644); err != nil {
		return err
	}
	fmt.Printf("wrote %s (%s, %d bytes)\n", *out, prec, len(b))
	return nil
}

// calibCacheDir is $QDIFF_BUILD/calib (the Makefile's build folder), else build/calib.
func calibCacheDir() string {
	if b := os.Getenv("QDIFF_BUILD"); b != "" {
		return filepath.Join(b, "calib")
	}
	return filepath.Join("build", "calib")
}
