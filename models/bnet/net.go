// Package bnet runs qdiff's binary MNIST classifier on the integer
// kernels: an int8 first convolution, three XNOR-popcount convolutions with
// batch norm and sign folded into integer thresholds, and an int8 last
// layer. It depends on the kernels alone, so it runs natively, under
// wazero and in the browser with the same results.
package bnet

import (
	"fmt"
	"math"
	"sync"

	"github.com/qdiff/qdiff/kernels"
)

// Net is the binary classifier in kernel form: an int8
// first conv with float thresholds, three XNOR-popcount convs with integer
// thresholds (batch norm and sign folded), a last layer with 4-bit weights
// on the ±1 features (8-bit activations).
type Net struct {
	W1     *kernels.Q8Matrix
	Bias1  []float32
	Thr1   []float32 // first layer: +1 when y >= Thr1[c] (y <= when Flip1[c])
	Flip1  []bool
	B      [3]*kernels.B1Matrix
	Th     [3]*kernels.Threshold
	Shapes [3]kernels.ConvShape
	W5     *kernels.Q4Matrix // 10 x 6272 4-bit, input order NHWC (pixel, channel)
	Bias5  []float32

	// derived by prepare: the first layer with integer thresholds, the
	// last layer's 4-bit weights as int8 rows (the same integers) in a
	// prepared sign-by-int8 product, the binary layers' prepared
	// convolutions
	once    sync.Once
	prepErr error
	w1s     []int8
	thr1    []int32
	last    *kernels.GemmB1I8Plan
	plans   [3]*kernels.ConvB1SignPlan
}

// Classify returns the logits of one 28x28 image (grey bytes) computed
// entirely with the integer kernels.
func (bk *Net) Classify(pixels []uint8) ([]float32, error) {
	if len(pixels) != 784 {
		return nil, fmt.Errorf("bnet: %d pixels, want 784", len(pixels))
	}
	if err := bk.prepare(); err != nil {
		return nil, err
	}
	bits := make([]uint64, 784)
	if err := kernels.ConvU8Sign(first, pixels, bk.w1s, bk.thr1, bits); err != nil {
		return nil, err
	}
	bits, err := bk.BinaryLayers(bits)
	if err != nil {
		return nil, err
	}
	return bk.Last(bits)
}

// BinaryLayers runs the three XNOR-popcount convs on the packed signs of
// the first layer's output [28*28 pixels, 1 word] and returns the packed
// signs [7*7 pixels, 2 words].
func (bk *Net) BinaryLayers(bits []uint64) ([]uint64, error) {
	if err := bk.prepare(); err != nil {
		return nil, err
	}
	for l, s := range bk.Shapes {
		ho, wo := s.Out()
		out := make([]uint64, ho*wo*kernels.B1Words(s.Cout))
		if err := bk.plans[l].Run(bits, out); err != nil {
			return nil, err
		}
		bits = out
	}
	return bits, nil
}

// Last is the int8 last layer on the ±1 features [7*7, 2 words].
func (bk *Net) Last(bits []uint64) ([]float32, error) {
	if len(bits) != 98 {
		return nil, fmt.Errorf("bnet: %d feature words, want 98", len(bits))
	}
	if err := bk.prepare(); err != nil {
		return nil, err
	}
	logits := make([]float32, 10) // signs in index order: pixel, then channel
	err := bk.last.Run(1, bits, &kernels.Epilogue{AScale: 1, Bias: bk.Bias5}, logits)
	return logits, err
}

// Predict classifies one 28x28 image (grey bytes, white ink on black)
// and returns the most likely digit and the softmax of the logits.
func (bk *Net) Predict(pixels []uint8) (int, []float64, error) {
	lg, err := bk.Classify(pixels)
	if err != nil {
		return 0, nil, err
	}
	mx := lg[0]
	for _, v := range lg {
		mx = max(mx, v)
	}
	probs := make([]float64, len(lg))
	var s float64
	for i, v := range lg {
		probs[i] = math.Exp(float64(v - mx))
		s += probs[i]
	}
	best := 0
	for i := range probs {
		probs[i] /= s
		if probs[i] > probs[best] {
			best = i
		}
	}
	return best, probs, nil
}
