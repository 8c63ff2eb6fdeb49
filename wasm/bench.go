//go:build js && wasm

package main

import (
	"fmt"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/qdiff/qdiff/kernels"
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
