//go:build js && wasm

package main

import (
	"fmt"

	"github.com/hack-pad/safejs"
	"github.com/qdiff/qdiff/models/sidial"
)

var dialogModel *sidial.Model

// loadDialog is qdiffLoadDialog(bytes): decodes the dialog model fitted
// to the binary classifier and returns its questions.
func loadDialog(args []safejs.Value) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("qdiffLoadDialog(bytes) takes 1 argument, got %d", len(args))
	}
	b, err := bytesArg(args[0], 1<<20)
	if err != nil {
		return nil, fmt.Errorf("qdiffLoadDialog: %w", err)
	}
	m, err := sidial.Decode(b)
	if err != nil {
		return nil, err
	}
	dialogModel = m
	qs := make([]any, len(sidial.Questions))
	for i, q := range sidial.Questions {
		qs[i] = q.Text
	}
	return map[string]any{"questions": qs}, nil
}

// dialogStep is qdiffDialog(occluded, hidden, answers): the binary
// network's probabilities on the occluded image fused with the answers
// (+1, -1, 0 per question), and the next question to ask (-1: none left).
func dialogStep(args []safejs.Value) (any, error) {
	if classifier == nil || dialogModel == nil {
		return nil, fmt.Errorf("the classifier and the dialog model must be loaded first")
	}
	if len(args) != 3 {
		return nil, fmt.Errorf("qdiffDialog(occluded, hidden, answers) takes 3 arguments, got %d", len(args))
	}
	px, err := bytesArg(args[0], 784)
	if err != nil || len(px) != 784 {
		return nil, fmt.Errorf("qdiffDialog: want 784 grey bytes")
	}
	hidden, err := args[1].Float()
	if err != nil {
		return nil, fmt.Errorf("qdiffDialog: hidden: %w", err)
	}
	n, err := args[2].Length()
	if err != nil || n != len(sidial.Questions) {
		return nil, fmt.Errorf("qdiffDialog: want %d answers", len(sidial.Questions))
	}
	ans := make([]int8, n)
	for i := range ans {
		v, err := args[2].Index(i)
		if err != nil {
			return nil, err
		}
		a, err := v.Int()
		if err != nil || a < -1 || a > 1 {
			return nil, fmt.Errorf("qdiffDialog: answer %d must be -1, 0 or 1", i)
		}
		ans[i] = int8(a)
	}
	_, probs, err := classifier.Predict(px)
	if err != nil {
		return nil, err
	}
	post, err := dialogModel.Posterior(probs, hidden, ans)
	if err != nil {
		return nil, err
	}
	next, err := dialogModel.Next(probs, hidden, ans)
	if err != nil {
		return nil, err
	}
	label := 0
	ps := make([]any, len(post))
	for i, p := range post {
		ps[i] = p
		if p > post[label] {
			label = i
		}
	}
	q := ""
	if next >= 0 {
		q = sidial.Questions[next].Text
	}
	return map[string]any{"label": label, "confidence": post[label], "probs": ps, "next": next, "question": q}, nil
}

// oracle is qdiffOracle(pixels) -> {answers}: the answers to every question about a
// full image (+1 yes, -1 no), for the page's auto-answer switch.
func oracle(args []safejs.Value) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("qdiffOracle(pixels) takes 1 argument")
	}
	px, err := bytesArg(args[0], 784)
	if err != nil || len(px) != 784 {
		return nil, fmt.Errorf("qdiffOracle: want 784 grey bytes")
	}
	a := sidial.Oracle(px)
	out := make([]any, len(a))
	for i, v := range a {
		out[i] = int(v)
	}
	return map[string]any{"answers": out}, nil
}
