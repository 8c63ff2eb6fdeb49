package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/qdiff/qdiff/kernels"
	"github.com/qdiff/qdiff/kernels/wazerotest"
	"github.com/qdiff/qdiff/models/bnet"
	"github.com/qdiff/qdiff/models/engine"
	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/unet"
)

func init() {
	register("bench", "kernel GOPS natively and under wazero (SIMD and not), GEMM threads, training throughput", bench)
}

func bench(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	runs := fs.Int("runs", 5, "timed runs per cell; the median is reported")
	minTime := fs.Duration("min", 100*time.Millisecond, "minimum duration of one timed run")
	only := fs.String("op", "", "only ops whose name contains this")
	train := fs.Bool("train", true, "also time training steps of the U-Net")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *runs < 1 {
		return fmt.Errorf("-runs must be at least 1")
	}
	ctx := context.Background()
	dir, err := wazerotest.BuildDir()
	if err != nil {
		return err
	}
	guests := map[bool]*wazerotest.Guest{}
	for _, simd := range []bool{true, false} {
		path := filepath.Join(dir, fmt.Sprintf("guest-simd-%v.wasm", simd))
		fmt.Fprintf(os.Stderr, "building %s\n", path)
		if err := wazerotest.Build(ctx, wazerotest.GuestPkg, path, simd, false); err != nil {
			return err
		}
		m, err := wazerotest.Compile(ctx, path)
		if err != nil {
			return err
		}
		defer m.Close(ctx)
		g := m.Start(ctx, os.Stderr)
		defer g.Close()
		guests[simd] = g
	}
	fmt.Printf("qdiff kernel benchmarks: GOPS (2 ops per multiply-add; elementwise ops: elements/ns), single thread, median of %d runs\n", *runs)
	fmt.Printf("machine: %s, Go %s; wazero %s compiler\n\n", cpuName(), goVersion(), "v1.12.0")
	fmt.Println("| kernel | shape | native ref | native SIMD | wazero SIMD | wazero no-SIMD | SIMD/no-SIMD (wazero) |")
	fmt.Println("|---|---|---|---|---|---|---|")
	for i := range kernels.Table {
		op := &kernels.Table[i]
		if !strings.Contains(op.Name, *only) {
			continue
		}
		for _, d := range op.Bench {
			ops := op.Ops(d)
			c := op.Gen(kernels.CaseRNG(1), d)
			ref := median(*runs, *minTime, ops, func(n int) time.Duration { return timeN(n, func() { c.Run(false) }) })
			nat := "—"
			if kernels.SIMD(op.Name) {
				nat = fmt.Sprintf("%.2f", median(*runs, *minTime, ops, func(n int) time.Duration { return timeN(n, func() { c.Run(true) }) }))
			}
			var w [2]float64
			for j, simd := range []bool{true, false} {
				g := guests[simd]
				var berr error
				w[j] = median(*runs, *minTime, ops, func(n int) time.Duration {
					ns, err := g.Bench(op.Name, n, d)
					if err != nil {
						berr = err
					}
					return time.Duration(ns)
				})
				if berr != nil {
					return berr
				}
			}
			fmt.Printf("| %s | %s | %.2f | %s | %.2f | %.2f | %.1fx |\n", op.Name, shape(op, d), ref, nat, w[0], w[1], w[0]/w[1])
		}
	}
	fmt.Println()
	fmt.Println("| float32 GEMM, native | shape | 1 thread GFLOP/s | 2 threads GFLOP/s |")
	fmt.Println("|---|---|---|---|")
	for _, d := range [][3]int{{784, 64, 288}, {196, 64, 576}} {
		m, n, k := d[0], d[1], d[2]
		a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
		ops := 2 * float64(m*n*k)
		var g [2]float64
		for t := 1; t <= 2; t++ {
			g[t-1] = median(*runs, *minTime, ops, func(it int) time.Duration {
				return timeN(it, func() { kernels.GemmF32Parallel(t, m, n, k, a, b, c, false) })
			})
		}
		fmt.Printf("| C[M,N]=A[M,K]xB[K,N] | %dx%dx%d (MxKxN) | %.1f | %.1f |\n", m, k, n, g[0], g[1])
	}
	if err := benchSteps(ctx, dir, *runs); err != nil {
		return err
	}
	if err := benchBinary(ctx, dir, *runs); err != nil {
		return err
	}
	if *train {
		return benchTrain(os.Stdout)
	}
	return nil
}

// benchSteps times one guided DDIM step (two U-Net forward passes) per
// precision, natively and as the wasip1 SIMD build under wazero.
func benchSteps(ctx context.Context, dir string, runs int) error {
	mod, err := engineGuest(ctx)
	if err != nil {
		return err
	}
	defer mod.Close(ctx)
	fmt.Println()
	fmt.Println("| U-Net guided DDIM step (2 forwards) | native ms | wazero SIMD ms |")
	fmt.Println("|---|---|---|")
	var wz [3]float64
	for i, prec := range []string{"engine-fp32", "w8a8", "w4a8"} {
		path := "models/zoo/unet." + prec + ".safetensors"
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Printf("| %s | (no %s) | |\n", prec, path)
			continue
		}
		n, err := engine.Decode(b)
		if err != nil {
			return err
		}
		const reps = 3
		med := func(f func() (int64, error)) (float64, error) { return medianRuns(runs, 1e6*reps, f) }
		nat, err := med(func() (int64, error) { return engine.TimeSteps(n, reps) })
		if err != nil {
			return err
		}
		w, err := med(func() (int64, error) {
			var out bytes.Buffer
			if err := mod.Run(ctx, wazerotest.Config{Args: []string{"time", wazerotest.Abs(path), strconv.Itoa(reps)}, Stdout: &out}); err != nil {
				return 0, err
			}
			return strconv.ParseInt(strings.TrimSpace(out.String()), 10, 64)
		})
		if err != nil {
			return err
		}
		wz[i] = w
		fmt.Printf("| %s | %.1f | %.1f |\n", n.Prec, nat, w)
	}
	if wz[0] > 0 && wz[1] > 0 {
		fmt.Printf("\nwazero SIMD: the FP32 step takes %.2fx the W8A8 step\n", wz[0]/wz[1])
	}
	return nil
}

// benchTrain times U-Net training steps on synthetic data.
func benchTrain(w io.Writer) error {
	data := &mnist.Dataset{N: 64, Rows: 28, Cols: 28, Pixels: make([]uint8, 64*784), Labels: make([]uint8, 64)}
	r := kernels.CaseRNG(3)
	for i := range data.Pixels {
		data.Pixels[i] = uint8(r.IntN(256))
	}
	cfg := unet.DefaultTrain
	cfg.CkptPath, cfg.Steps = "", 100
	tr, err := unet.NewTrainer(cfg, data)
	if err != nil {
		return err
	}
	if _, err := tr.TrainStep(); err != nil {
		return err
	}
	const steps = 3
	t0 := time.Now()
	for range steps {
		if _, err := tr.TrainStep(); err != nil {
			return err
		}
	}
	s := time.Since(t0).Seconds()
	ips := float64(steps*cfg.Batch) / s
	fmt.Fprintf(w, "\nU-Net training (batch %d, %d workers): %.1f images/s, %.1f GFLOP/s (forward %.0f MFLOP/image, backward counted as 2x forward)\n",
		cfg.Batch, nn.Workers, ips, ips*3*unet.UNetFLOPs(unet.DefaultUNet)/1e9, unet.UNetFLOPs(unet.DefaultUNet)/1e6)
	return nil
}

func shape(op *kernels.Op, d []int) string {
	parts := make([]string, len(d))
	for i, v := range d {
		parts[i] = fmt.Sprintf("%s=%d", op.Dims[i], v)
	}
	return strings.Join(parts, " ")
}

func timeN(n int, f func()) time.Duration {
	t0 := time.Now()
	for range n {
		f()
	}
	return time.Since(t0)
}

// median calibrates a repetition count that lasts at least min, then
// returns the median GOPS of runs timed runs.
func median(runs int, min time.Duration, ops float64, timed func(n int) time.Duration) float64 {
	n := 1
	for {
		d := timed(n)
		if d >= min || n > 1<<24 {
			break
		}
		n *= 2
	}
	gops := make([]float64, runs)
	for i := range gops {
		gops[i] = ops * float64(n) / timed(n).Seconds() / 1e9
	}
	slices.Sort(gops)
	return gops[runs/2]
}

func cpuName() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			if _, v, ok := strings.Cut(l, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown CPU"
}

// benchBinary times the binary classifier on MNIST test digits one at a
// time and in batches of 64, and on dense synthetic images (no flat
// background: its slowest input), natively and under wazero SIMD
// (nanoseconds per image, median of runs).
func benchBinary(ctx context.Context, dir string, runs int) error {
	const path = "models/zoo/bnet.safetensors"
	const nImg = 256
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Printf("\n(no %s: binary classifier not timed)\n", path)
		return nil
	}
	n, err := bnet.Decode(b)
	if err != nil {
		return err
	}
	mdir, err := mnist.MNISTDir()
	if err != nil {
		return err
	}
	test, err := mnist.LoadMNIST(mdir, "t10k")
	if err != nil {
		return err
	}
	digits := test.Pixels[:nImg*784]
	imgPath := filepath.Join(dir, "bench-digits.raw")
	if err := os.WriteFile(imgPath, digits, 0o644); err != nil {
		return err
	}
	mod, err := engineGuest(ctx)
	if err != nil {
		return err
	}
	defer mod.Close(ctx)
	fmt.Println()
	fmt.Println("| binary classifier (bnet) | native µs/image | wazero SIMD µs/image |")
	fmt.Println("|---|---|---|")
	rows := []struct {
		name  string
		imgs  []uint8
		arg   string
		batch int
	}{
		{fmt.Sprintf("%d MNIST test digits, one at a time", nImg), digits, wazerotest.Abs(imgPath), 1},
		{fmt.Sprintf("%d MNIST test digits, batches of 64", nImg), digits, wazerotest.Abs(imgPath), 64},
		{fmt.Sprintf("%d dense synthetic images, one at a time", nImg), bnet.DenseImages(nImg), fmt.Sprintf("dense:%d", nImg), 1},
	}
	for _, r := range rows {
		med := func(f func() (int64, error)) (float64, error) { return medianRuns(runs, 1e3, f) }
		nat, err := med(func() (int64, error) { return bnet.TimeClassify(n, r.imgs, r.batch, 1) })
		if err != nil {
			return err
		}
		w, err := med(func() (int64, error) {
			var out bytes.Buffer
			cfg := wazerotest.Config{Args: []string{"timeclassify", wazerotest.Abs(path), r.arg, strconv.Itoa(r.batch), "1"}, Stdout: &out}
			if err := mod.Run(ctx, cfg); err != nil {
				return 0, err
			}
			return strconv.ParseInt(strings.TrimSpace(out.String()), 10, 64)
		})
		if err != nil {
			return err
		}
		fmt.Printf("| %s | %.1f | %.1f |\n", r.name, nat, w)
	}
	return nil
}

// medianRuns calls f runs times and returns the median of its results
// divided by div (nanoseconds to the unit wanted).
func medianRuns(runs int, div float64, f func() (int64, error)) (float64, error) {
	v := make([]float64, runs)
	for r := range v {
		ns, err := f()
		if err != nil {
			return 0, err
		}
		v[r] = float64(ns) / div
	}
	slices.Sort(v)
	return v[runs/2], nil
}
