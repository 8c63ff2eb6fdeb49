package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/qdiff/qdiff/models/classifier"
	"github.com/qdiff/qdiff/models/engine"
	"github.com/qdiff/qdiff/models/metrics"
	"github.com/qdiff/qdiff/models/ptq"
	"github.com/qdiff/qdiff/models/unet"
)

func init() {
	register("ablation", "the PTQ4DM ablation table: FP32 and W8A8/W4A8 calibration variants, same seeds, FD-MNIST / accuracy / IS", ablation)
}

type variant struct {
	name   string
	prec   engine.Precision
	calib  string // ndtc, uniform, real ("" for FP32)
	search bool
}

var variants = []variant{
	{name: "FP32", prec: engine.FP32},
	{name: "W8A8 naive min-max (NDTC inputs)", prec: engine.W8A8, calib: "ndtc"},
	{name: "W8A8 uniform-t + MSE", prec: engine.W8A8, calib: "uniform", search: true},
	{name: "W8A8 real images + noise + MSE", prec: engine.W8A8, calib: "real", search: true},
	{name: "W8A8 PTQ4DM (NDTC + MSE)", prec: engine.W8A8, calib: "ndtc", search: true},
	{name: "W4A8 naive min-max (NDTC inputs)", prec: engine.W4A8, calib: "ndtc"},
	{name: "W4A8 PTQ4DM (NDTC + MSE)", prec: engine.W4A8, calib: "ndtc", search: true},
}

func ablation(args []string) error {
	fs := flag.NewFlagSet("ablation", flag.ContinueOnError)
	model := fs.String("model", "models/zoo/unet.fp32.safetensors", "FP U-Net")
	cls := fs.String("classifier", "models/zoo/classifier.fp32.safetensors", "FP classifier")
	n := fs.Int("n", 1000, "samples per DDIM row (n/10 per class)")
	nDDPM := fs.Int("n-ddpm", 100, "samples per DDPM 1000 row (0: skip DDPM)")
	stepsS := fs.String("steps", "20,50", "DDIM step counts (empty: none)")
	guidance := fs.Float64("guidance", 3, "guidance scale")
	calibN := fs.Int("calib-n", 1024, "calibration inputs")
	keep := fs.Int("keep", 32, "calibration inputs per layer range search")
	only := fs.String("only", "", "only variants whose name contains this")
	seed := fs.Uint64("seed", 1, "sampling seed (the same for every row)")
	cache := fs.String("calib-cache", calibCacheDir(), "folder caching calibration sets (shared with qdiff quantize; empty: none)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var steps []int
	for _, s := range strings.Split(*stepsS, ",") {
		if strings.TrimSpace(s) == "" && *stepsS == "" {
			break // no DDIM rows (with -n-ddpm: DDPM rows only)
		}
		v, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || v < 1 || v > 1000 {
			return fmt.Errorf("-steps %q: want a comma-separated list of 1..1000", *stepsS)
		}
		steps = append(steps, v)
	}
	u, _, err := unet.LoadUNet(*model)
	if err != nil {
		return err
	}
	c, err := classifier.LoadClassifier(*cls)
	if err != nil {
		return err
	}
	train, test, err := mnistSplits()
	if err != nil {
		return err
	}
	ref, err := metrics.DatasetStats(c, test)
	if err != nil {
		return err
	}
	sched := unet.DefaultSchedule()
	fp := u.ToEngine()
	fpBytes, err := fp.Encode(nil)
	if err != nil {
		return err
	}
	calibSets := map[string][]ptq.CalibInput{}
	calibFor := func(kind string) ([]ptq.CalibInput, error) {
		if set, ok := calibSets[kind]; ok {
			return set, nil
		}
		var set []ptq.CalibInput
		var err error
		mkey, err := ptq.FileKey(*model)
		if err != nil {
			return nil, err
		}
		// the same key as qdiff quantize's defaults (mu = sigma = 400, 20 trajectory steps, seed 1)
		key := fmt.Sprintf("%s|%s|n=%d|mu=%g|sigma=%g|steps=%d|guidance=%g|seed=%d", mkey, kind, *calibN, 400.0, 400.0, 20, *guidance, 1)
		switch kind {
		case "ndtc":
			set, _, err = ptq.CachedCalibration(*cache, key, func() ([]ptq.CalibInput, error) {
				return ptq.GenerateCalibration(u, sched, *calibN, 64, 20, *guidance, ptq.NDTC(400, 400), 1, os.Stderr)
			})
		case "uniform":
			set, _, err = ptq.CachedCalibration(*cache, key, func() ([]ptq.CalibInput, error) {
				return ptq.GenerateCalibration(u, sched, *calibN, 64, 20, *guidance, ptq.UniformT(), 1, os.Stderr)
			})
		case "real":
			set = ptq.RealNoisedCalibration(train, sched, *calibN, 1)
		}
		calibSets[kind] = set
		return set, err
	}
	fmt.Printf("| model | sampler | N | FD-MNIST | cond. acc. | IS | bytes | calibration s |\n|---|---|---|---|---|---|---|---|\n")
	for _, v := range variants {
		if !strings.Contains(v.name, *only) {
			continue
		}
		var eps unet.EpsModel = u
		size, calSecs := len(fpBytes), 0.0
		if v.prec != engine.FP32 {
			t0 := time.Now()
			set, err := calibFor(v.calib)
			if err != nil {
				return err
			}
			q, err := ptq.Quantize(fp, set, ptq.PTQConfig{Prec: v.prec, Search: v.search, Keep: *keep}, os.Stderr)
			if err != nil {
				return err
			}
			calSecs = time.Since(t0).Seconds()
			b, err := q.Encode(nil)
			if err != nil {
				return err
			}
			size = len(b)
			eps = unet.NewEngineEps(q)
		}
		type run struct {
			name string
			o    unet.SampleOptions
			n    int
		}
		var runs []run
		for _, s := range steps {
			runs = append(runs, run{fmt.Sprintf("DDIM %d", s), unet.SampleOptions{Steps: s, Guidance: *guidance}, *n})
		}
		if *nDDPM > 0 {
			runs = append(runs, run{"DDPM 1000", unet.SampleOptions{DDPM: true, Guidance: *guidance}, *nDDPM})
		}
		for _, r := range runs {
			res, err := metrics.Evaluate(eps, sched, c, ref, r.n, 50, r.o, *seed, io.Discard)
			if err != nil {
				return err
			}
			fmt.Printf("| %s | %s | %d | %.3f | %.2f%% | %.3f | %d | %.0f |\n", v.name, r.name, r.n, res.FD, 100*res.CondAcc, res.IS, size, calSecs)
		}
	}
	return nil
}
