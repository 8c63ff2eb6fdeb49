// Command guest runs one engine request for the wazero harness and for
// `qdiff generate`, built for GOOS=wasip1:
//
//	guest step MODEL SEED T TPREV LABEL GUIDANCE
//	guest generate MODEL SEED DIGIT STEPS GUIDANCE
//	guest time MODEL REPS
//	guest profile MODEL REPS    (time per kind of work over REPS guided steps)
//	guest classify MODEL        (binary classifier; 784-byte images on stdin)
//	guest timeclassify MODEL IMAGES BATCH REPS (nanoseconds per image; IMAGES: a file of raw 28x28 bytes, or dense:N)
//
// step loads MODEL (an engine weights file), takes x_T = Noise(SEED), runs
// one DDIM step from T to TPREV and writes x_TPREV then x0 as
// little-endian float32 bits on stdout. generate draws one image and
// writes its 28*28 grey bytes (engine.Pixels), reporting each step on
// stderr as "step I/N". time prints the nanoseconds of REPS guided DDIM
// steps (two forward passes each). STEPS is a DDIM step count, or "ddpm"
// for ancestral sampling over all 1000 steps.
package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/qdiff/qdiff/models/bnet"
	"github.com/qdiff/qdiff/models/engine"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "guest:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 6 && args[0] == "generate" {
		return generate(args[1:])
	}
	if len(args) == 3 && args[0] == "time" {
		return timeSteps(args[1:])
	}
	if len(args) == 3 && args[0] == "profile" {
		return profile(args[1:])
	}
	if len(args) == 5 && args[0] == "timeclassify" {
		return timeClassify(args[1:])
	}
	if len(args) == 2 && args[0] == "classify" {
		return classify(args[1])
	}
	if len(args) != 7 || args[0] != "step" {
		return fmt.Errorf("usage: guest step MODEL SEED T TPREV LABEL GUIDANCE")
	}
	n, err := loadNet(args[1])
	if err != nil {
		return err
	}
	seed, err := strconv.ParseUint(args[2], 10, 64)
	if err != nil {
		return err
	}
	var iv [3]int
	for i := range iv {
		if iv[i], err = strconv.Atoi(args[3+i]); err != nil {
			return err
		}
	}
	w, err := strconv.ParseFloat(args[6], 64)
	if err != nil {
		return err
	}
	out, err := Step(n, seed, iv[0], iv[1], iv[2], w)
	if err != nil {
		return err
	}
	buf := make([]byte, 4*len(out))
	for i, v := range out {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
	}
	_, err = os.Stdout.Write(buf)
	return err
}

// Step is the guest's computation: x_TPREV followed by x0.
func Step(n *engine.Net, seed uint64, t, tPrev, label int, w float64) ([]float32, error) {
	x := engine.Noise(seed, n.Cfg.Size*n.Cfg.Size)
	x0, err := n.DDIMStep(engine.DefaultSchedule(), x, t, tPrev, label, w)
	if err != nil {
		return nil, err
	}
	return append(x, x0...), nil
}

func generate(args []string) error {
	n, err := loadNet(args[0])
	if err != nil {
		return err
	}
	seed, err := strconv.ParseUint(args[1], 10, 64)
	if err != nil {
		return err
	}
	digit, err := strconv.Atoi(args[2])
	if err != nil {
		return err
	}
	w, err := strconv.ParseFloat(args[4], 64)
	if err != nil {
		return err
	}
	sched := engine.DefaultSchedule()
	var x []float32
	if args[3] == "ddpm" {
		x, err = n.GenerateDDPM(sched, seed, digit, w, func(i int, _ []float32) bool {
			fmt.Fprintf(os.Stderr, "step %d/%d\n", i+1, sched.T)
			return true
		})
	} else {
		steps, err := strconv.Atoi(args[3])
		if err != nil {
			return err
		}
		x, err = n.Generate(sched, seed, digit, steps, w, func(i int, _ []float32) bool {
			fmt.Fprintf(os.Stderr, "step %d/%d\n", i+1, steps)
			return true
		})
	}
	if err != nil {
		return err
	}
	_, err = os.Stdout.Write(engine.Pixels(x))
	return err
}

// netAndReps reads MODEL REPS.
func netAndReps(args []string) (*engine.Net, int, error) {
	n, err := loadNet(args[0])
	if err != nil {
		return nil, 0, err
	}
	reps, err := strconv.Atoi(args[1])
	if err != nil || reps < 1 {
		return nil, 0, fmt.Errorf("bad REPS %q", args[1])
	}
	return n, reps, nil
}

func timeSteps(args []string) error {
	n, reps, err := netAndReps(args)
	if err != nil {
		return err
	}
	ns, err := engine.TimeSteps(n, reps)
	if err != nil {
		return err
	}
	fmt.Println(ns)
	return nil
}

func profile(args []string) error {
	n, reps, err := netAndReps(args)
	if err != nil {
		return err
	}
	p, err := engine.ProfileSteps(n, reps)
	if err != nil {
		return err
	}
	fmt.Print(p)
	return nil
}

func timeClassify(args []string) error {
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	n, err := bnet.Decode(b)
	if err != nil {
		return err
	}
	batch, err1 := strconv.Atoi(args[2])
	reps, err2 := strconv.Atoi(args[3])
	if err1 != nil || err2 != nil {
		return fmt.Errorf("bad BATCH %q or REPS %q", args[2], args[3])
	}
	var imgs []uint8
	if c, ok := strings.CutPrefix(args[1], "dense:"); ok {
		k, err := strconv.Atoi(c)
		if err != nil || k < 1 || k > 1<<16 {
			return fmt.Errorf("bad image count in %q", args[1])
		}
		imgs = bnet.DenseImages(k)
	} else if imgs, err = os.ReadFile(args[1]); err != nil {
		return err
	}
	ns, err := bnet.TimeClassify(n, imgs, batch, reps)
	if err != nil {
		return err
	}
	fmt.Println(ns)
	return nil
}

// loadNet reads engine weights from path.
func loadNet(path string) (*engine.Net, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return engine.Decode(b)
}

// classify reads 784-byte images from stdin until EOF and writes each
// one's 10 logits as little-endian float32 bits.
func classify(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	n, err := bnet.Decode(b)
	if err != nil {
		return err
	}
	img := make([]byte, 784)
	out := make([]byte, 40)
	for {
		if _, err := io.ReadFull(os.Stdin, img); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		lg, err := n.Classify(img)
		if err != nil {
			return err
		}
		for i, v := range lg {
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
		}
		if _, err := os.Stdout.Write(out); err != nil {
			return err
		}
	}
}
