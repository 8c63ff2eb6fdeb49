//go:build js && wasm

package main

import (
	"fmt"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/qdiff/qdiff/kernels"
	"github.com/qdiff/qdiff/models/bnet"
	"github.com/qdiff/qdiff/models/engine"
)

// bench times reps runs of a kernel-table op: qdiffBench(op, dims, reps).
func bench(args []safejs.Value) (any, error) {
	if len(args) != 3 {
		return nil, fmt.Errorf("qdiffBench(op, dims, reps) takes 3 arguments, got %d", len(args))
	}
	name, err := args[0].String()
	if err != nil {
		return nil, err
	}
	op, ok := kernels.Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown kernel op %q", name)
	}
	n, err := args[1].Length()
	if err != nil || n != len(op.Dims) {
		return nil, fmt.Errorf("%s takes %d dims", name, len(op.Dims))
	}
	dims := make([]int, n)
	for i := range dims {
		v, err := args[1].Index(i)
		if err != nil {
			return nil, err
		}
		if dims[i], err = v.Int(); err != nil || dims[i] < 1 || dims[i] > 4096 {
			return nil, fmt.Errorf("dimension %d must be 1..4096", i)
		}
	}
	reps, err := args[2].Int()
	if err != nil || reps < 1 || reps > 1e6 {
		return nil, fmt.Errorf("reps must be 1..1e6")
	}
	c := op.Gen(kernels.CaseRNG(1), dims)
	c.Run(true)
	t0 := time.Now()
	for range reps {
		c.Run(true)
	}
	ms := float64(time.Since(t0).Microseconds()) / 1000
	return map[string]any{"ms": ms, "ops": op.Ops(dims) * float64(reps)}, nil
}

// profile runs engine.ProfileSteps on a loaded model: qdiffProfile(key,
// reps), times in ms summed over the reps guided steps.
func profile(args []safejs.Value) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("qdiffProfile(key, reps) takes 2 arguments, got %d", len(args))
	}
	key, err := args[0].String()
	if err != nil {
		return nil, fmt.Errorf("qdiffProfile: key: %w", err)
	}
	net, ok := nets[key]
	if !ok {
		return nil, fmt.Errorf("model %q is not loaded", key)
	}
	reps, err := args[1].Int()
	if err != nil || reps < 1 || reps > 1000 {
		return nil, fmt.Errorf("reps must be 1..1000")
	}
	p, err := engine.ProfileSteps(net, reps)
	if err != nil {
		return nil, err
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	var kinds, layers []any
	names, ds := p.Kinds()
	for i, name := range names {
		kinds = append(kinds, map[string]any{"name": name, "ms": ms(ds[i])})
	}
	for _, l := range p.Layers {
		layers = append(layers, map[string]any{"name": l.Name, "ms": ms(l.D), "ops": l.Ops, "calls": l.Calls})
	}
	return map[string]any{"steps": reps, "forwards": p.Forwards, "kinds": kinds, "layers": layers}, nil
}

// benchClassify times the binary classifier the way qdiff bench does
// natively and under wazero (bnet.TimeClassify, one image at a time):
// qdiffBenchClassify(pixels, reps) with pixels a Uint8Array of whole 28x28
// images; it returns the mean microseconds per image.
func benchClassify(args []safejs.Value) (any, error) {
	if classifier == nil {
		return nil, fmt.Errorf("the binary classifier is not loaded")
	}
	if len(args) != 2 {
		return nil, fmt.Errorf("qdiffBenchClassify(pixels, reps) takes 2 arguments, got %d", len(args))
	}
	px, err := bytesArg(args[0], 1024*784)
	if err != nil {
		return nil, fmt.Errorf("qdiffBenchClassify: %w", err)
	}
	reps, err := args[1].Int()
	if err != nil || reps < 1 || reps > 1000 {
		return nil, fmt.Errorf("reps must be 1..1000")
	}
	ns, err := bnet.TimeClassify(classifier, px, 1, reps)
	if err != nil {
		return nil, err
	}
	return map[string]any{"us": float64(ns) / 1000}, nil
}
