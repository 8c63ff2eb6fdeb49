//go:build js && wasm

package main

import (
	"fmt"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/qdiff/qdiff/models/bnet"
)

var classifier *bnet.Net

// loadClassifier is qdiffLoadClassifier(bytes): decodes the binary
// network (a Uint8Array, already sha256-checked).
func loadClassifier(args []safejs.Value) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("qdiffLoadClassifier(bytes) takes 1 argument, got %d", len(args))
	}
	b, err := bytesArg(args[0], 16<<20)
	if err != nil {
		return nil, fmt.Errorf("qdiffLoadClassifier: %w", err)
	}
	n, err := bnet.Decode(b)
	if err != nil {
		return nil, err
	}
	classifier = n
	return map[string]any{"model": bnet.Model}, nil
}

// classify is qdiffClassify(pixels): the binary network's label for 784
// grey bytes, with the probabilities of all ten digits.
func classify(args []safejs.Value) (any, error) {
	if classifier == nil {
		return nil, fmt.Errorf("the binary classifier is not loaded")
	}
	if len(args) != 1 {
		return nil, fmt.Errorf("qdiffClassify(pixels) takes 1 argument, got %d", len(args))
	}
	px, err := bytesArg(args[0], 784)
	if err != nil {
		return nil, fmt.Errorf("qdiffClassify: %w", err)
	}
	t0 := time.Now()
	label, probs, err := classifier.Predict(px)
	if err != nil {
		return nil, err
	}
	ps := make([]any, len(probs))
	for i, p := range probs {
		ps[i] = p
	}
	return map[string]any{"label": label, "confidence": probs[label], "probs": ps,
		"ms": float64(time.Since(t0).Microseconds()) / 1000}, nil
}

// bytesArg copies a Uint8Array of 1..limit bytes.
func bytesArg(v safejs.Value, limit int) ([]byte, error) {
	n, err := v.Length()
	if err != nil || n <= 0 || n > limit {
		return nil, fmt.Errorf("want a Uint8Array of 1 to %d bytes", limit)
	}
	b := make([]byte, n)
	if _, err := safejs.CopyBytesToGo(b, v); err != nil {
		return nil, err
	}
	return b, nil
}
