//go:build js && wasm

// Command wasm is qdiff's browser program (GOOS=js GOARCH=wasm, SIMD128).
// It runs inside a Web Worker and talks to JavaScript only through
// github.com/hack-pad/safejs. It defines, on the worker's global object:
//
//	qdiffLoad(key, bytes)  -> "" or an error message
//	    decodes engine weights (a Uint8Array, already sha256-checked) under key
//	qdiffGenerate(key, digit, steps, guidance, seed, onStep, sampler) -> {pixels, digit, ms, error}
//	    draws one 28x28 digit (digit -1: engine.RandomDigit(seed)) with DDIM
//	    (sampler "ddim", the default) or 1000 DDPM steps ("ddpm"),
//	    calling onStep(step, steps, x0Pixels) after every step
//	qdiffBench(op, dims, reps) -> {ms, ops}
//	    times reps runs of a kernel-table op (kernels.Table) at dims
//	qdiffProfile(key, reps) -> {steps, forwards, kinds: [{name, ms}], layers: [{name, ms, ops, calls}]}
//	    times reps guided DDIM steps of a loaded model per kind of work and
//	    per conv/linear layer (engine.ProfileSteps)
//	qdiffLoadClassifier(bytes) -> {model} or {error}
//	    decodes the binary network (models/bnet)
//	qdiffClassify(pixels) -> {label, confidence, probs, ms}
//	    labels 784 grey bytes with the binary network
//	qdiffLoadDialog(bytes) -> {questions}
//	    decodes the SI-Dial model (models/sidial)
//	qdiffDialog(occluded, hidden, answers) -> {label, confidence, probs, next, question}
//	    fuses the binary network's belief on an occluded image with answers
//	qdiffOracle(pixels) -> {answers}
//	    answers every question from the full image (+1 yes, -1 no)
//
// and calls qdiffReady() once they exist.
package main

import (
	"fmt"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/qdiff/qdiff/models/engine"
)

var nets = map[string]*engine.Net{}

func main() {
	g := safejs.Global()
	if err := export(g, "qdiffLoad", load); err != nil {
		panic(err)
	}
	if err := export(g, "qdiffGenerate", generate); err != nil {
		panic(err)
	}
	if err := export(g, "qdiffBench", bench); err != nil {
		panic(err)
	}
	if err := export(g, "qdiffLoadClassifier", loadClassifier); err != nil {
		panic(err)
	}
	if err := export(g, "qdiffClassify", classify); err != nil {
		panic(err)
	}
	for name, fn := range map[string]func([]safejs.Value) (any, error){
		"qdiffLoadDialog": loadDialog, "qdiffDialog": dialogStep, "qdiffOracle": oracle,
		"qdiffBenchClassify": benchClassify, "qdiffProfile": profile,
	} {
		if err := export(g, name, fn); err != nil {
			panic(err)
		}
	}
	if ready, err := g.Get("qdiffReady"); err == nil && ready.Type() == safejs.TypeFunction {
		ready.Invoke()
	}
	select {}
}

func export(g safejs.Value, name string, fn func(args []safejs.Value) (any, error)) error {
	f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		v, err := fn(args)
		if err != nil {
			return map[string]any{"error": err.Error()}
		}
		return v
	})
	if err != nil {
		return err
	}
	return g.Set(name, f.Value())
}

func load(args []safejs.Value) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("qdiffLoad(key, bytes) takes 2 arguments, got %d", len(args))
	}
	key, err := args[0].String()
	if err != nil {
		return nil, fmt.Errorf("qdiffLoad: key: %w", err)
	}
	b, err := bytesArg(args[1], 64<<20)
	if err != nil {
		return nil, fmt.Errorf("qdiffLoad: weights: %w", err)
	}
	net, err := engine.Decode(b)
	if err != nil {
		return nil, err
	}
	nets[key] = net
	return map[string]any{"precision": net.Prec.String()}, nil
}

func generate(args []safejs.Value) (any, error) {
	req, err := parseGenerate(args)
	if err != nil {
		return nil, err
	}
	net, ok := nets[req.key]
	if !ok {
		return nil, fmt.Errorf("model %q is not loaded", req.key)
	}
	digit := req.digit
	if digit < 0 {
		digit = engine.RandomDigit(req.seed)
	}
	t0 := time.Now()
	steps := req.steps
	if req.ddpm {
		steps = engine.DefaultSchedule().T
	}
	onStep := func(i int, x0 []float32) bool {
		if req.onStep.IsUndefined() {
			return true
		}
		px, err := toJS(engine.Pixels(x0))
		if err == nil {
			_, err = req.onStep.Invoke(i+1, steps, px)
		}
		return err == nil
	}
	var x []float32
	if req.ddpm {
		x, err = net.GenerateDDPM(engine.DefaultSchedule(), req.seed, digit, req.guidance, onStep)
	} else {
		x, err = net.Generate(engine.DefaultSchedule(), req.seed, digit, req.steps, req.guidance, onStep)
	}
	if err != nil {
		return nil, err
	}
	px, err := toJS(engine.Pixels(x))
	if err != nil {
		return nil, err
	}
	return map[string]any{"pixels": px, "digit": digit, "ms": float64(time.Since(t0).Microseconds()) / 1000}, nil
}

func toJS(b []byte) (safejs.Value, error) {
	u8, err := safejs.Global().Get("Uint8Array")
	if err != nil {
		return safejs.Value{}, err
	}
	arr, err := u8.New(len(b))
	if err != nil {
		return safejs.Value{}, err
	}
	_, err = safejs.CopyBytesToJS(arr, b)
	return arr, err
}
