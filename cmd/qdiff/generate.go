package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/qdiff/qdiff/kernels/wazerotest"
	"github.com/qdiff/qdiff/models/engine"
	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/plot"
)

// EngineGuestPkg is the wasip1 program that runs the engine under wazero.
const EngineGuestPkg = "github.com/qdiff/qdiff/models/engine/guest"

func init() {
	register("generate", "generate digits headlessly with the wasm kernels under wazero (or natively) into a PNG grid", generate)
}

func generate(args []string) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	model := fs.String("model", "models/zoo/unet.w8a8.safetensors", "engine weights (fp32, w8a8 or w4a8)")
	digit := fs.Int("digit", -1, "digit 0..9, or -1 for a random digit per image")
	count := fs.Int("n", 10, "images (1..100)")
	steps := fs.Int("steps", 20, "DDIM steps (1..1000)")
	guidance := fs.Float64("guidance", 3, "classifier-free guidance scale (0..50)")
	seed := fs.Uint64("seed", 1, "seed of the first image; image i uses seed+i")
	out := fs.String("o", "generated.png", "output PNG grid")
	raw := fs.String("raw", "", "also write the images' grey bytes (28*28 each, in order) to this file")
	native := fs.Bool("native", false, "run the engine natively instead of the wasm build under wazero")
	ddpm := fs.Bool("ddpm", false, "ancestral DDPM over all 1000 steps instead of DDIM (-steps ignored)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *digit < -1 || *digit > 9:
		return fmt.Errorf("-digit %d: want 0..9 or -1", *digit)
	case *count < 1 || *count > 100:
		return fmt.Errorf("-n %d: want 1..100", *count)
	case *steps < 1 || *steps > 1000:
		return fmt.Errorf("-steps %d: want 1..1000", *steps)
	case *guidance < 0 || *guidance > 50:
		return fmt.Errorf("-guidance %v: want 0..50", *guidance)
	}
	b, err := os.ReadFile(*model)
	if err != nil {
		return err
	}
	net, err := engine.Decode(b)
	if err != nil {
		return fmt.Errorf("%s: %w", *model, err)
	}
	stepsArg := strconv.Itoa(*steps)
	if *ddpm {
		*steps, stepsArg = engine.DefaultSchedule().T, "ddpm"
	}
	gen := func(s uint64, d int) ([]byte, error) {
		var x []float32
		var err error
		if *ddpm {
			x, err = net.GenerateDDPM(engine.DefaultSchedule(), s, d, *guidance, nil)
		} else {
			x, err = net.Generate(engine.DefaultSchedule(), s, d, *steps, *guidance, nil)
		}
		if err != nil {
			return nil, err
		}
		return engine.Pixels(x), nil
	}
	ctx := context.Background()
	if !*native {
		mod, err := engineGuest(ctx)
		if err != nil {
			return err
		}
		defer mod.Close(ctx)
		gen = func(s uint64, d int) ([]byte, error) {
			var o, e bytes.Buffer
			err := mod.Run(ctx, wazerotest.Config{Stdout: &o, Stderr: io.Discard,
				Args: []string{"generate", wazerotest.Abs(*model), strconv.FormatUint(s, 10), strconv.Itoa(d), stepsArg, strconv.FormatFloat(*guidance, 'g', -1, 64)}})
			if err != nil {
				return nil, fmt.Errorf("wasm engine: %v %s", err, e.String())
			}
			return o.Bytes(), nil
		}
	}
	var all []byte
	imgs := nn.NewT(*count, 1, 28, 28)
	t0 := time.Now()
	for i := 0; i < *count; i++ {
		s := *seed + uint64(i)
		d := *digit
		if d < 0 {
			d = engine.RandomDigit(s)
		}
		px, err := gen(s, d)
		if err != nil {
			return err
		}
		if len(px) != 784 {
			return fmt.Errorf("engine returned %d bytes, want 784", len(px))
		}
		all = append(all, px...)
		for p, v := range px {
			imgs.Img(i)[p] = float32(v)/127.5 - 1
		}
		el := time.Since(t0)
		fmt.Fprintf(os.Stderr, "image %d/%d (digit %d, seed %d), %.0f ms/step, ETA %s\n", i+1, *count, d, s,
			float64(el.Milliseconds())/float64((i+1)*(*steps)), (el / time.Duration(i+1) * time.Duration(*count-i-1)).Round(time.Second))
	}
	cols := min(*count, 10)
	g := image.NewGray(image.Rect(0, 0, cols*29+1, ((*count+cols-1)/cols)*29+1))
	for i := range g.Pix {
		g.Pix[i] = 64
	}
	for i := 0; i < *count; i++ {
		r, c := i/cols, i%cols
		for p, v := range all[i*784 : (i+1)*784] {
			g.SetGray(1+c*29+p%28, 1+r*29+p/28, color.Gray{Y: v})
		}
	}
	if err := plot.WritePNG(*out, g); err != nil {
		return err
	}
	if *raw != "" {
		if err := os.WriteFile(*raw, all, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("wrote %s (%d images, %s)\n", *out, *count, net.Prec)
	return nil
}
