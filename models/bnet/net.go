// Package bnet runs qdiff's binary MNIST classifier on the integer
// kernels: an int8 first convolution, three XNOR-popcount convolutions with
// batch norm and sign folded into integer thresholds, and an int8 last
// layer. It depends on the kernels alone, so it runs natively, under
// wazero and in the browser with the same results.
package bnet

import (
	"fmt"
	"math"

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
}

// Classify returns the logits of one 28x28 image (grey bytes) computed
// entirely with the integer kernels.
func (bk *Net) Classify(pixels []uint8) ([]float32, error) {
	if len(pixels) != 784 {
		return nil, fmt.Errorf("bnet: %d pixels, want 784", len(pixels))
	}
	q := make([]int8, 784)
	for i, p := range pixels {
		q[i] = int8(int(p) - 128)
	}
	s1 := kernels.ConvShape{H: 28, W: 28, Cin: 1, Cout: 32, KSize: 3, Stride: 1}
	y := make([]float32, 784*32)
	if err := kernels.ConvI8(s1, q, bk.W1, &kernels.Epilogue{AScale: 1.0 / 255, AZero: -128, Bias: bk.Bias1}, nil, nil, y, nil); err != nil {
		return nil, err
	}
	bits := make([]uint64, 784)
	for p := 0; p < 784; p++ {
		for c := 0; c < 32; c++ {
			v := y[p*32+c]
			pos := v >= bk.Thr1[c]
			if bk.Flip1[c] {
				pos = v <= bk.Thr1[c]
			}
			if !pos {
				bits[p] |= 1 << c
			}
		}
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
	for l, s := range bk.Shapes {
		ho, wo := s.Out()
		out := make([]uint64, ho*wo*kernels.B1Words(s.Cout))
		if err := kernels.ConvB1Sign(s, bits, bk.B[l], bk.Th[l], out); err != nil {
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
	a := make([]int8, 6272)
	for p := 0; p < 49; p++ {
		for c := 0; c < 128; c++ {
			a[p*128+c] = int8(kernels.B1Sign(bits[p*2:], c))
		}
	}
	logits := make([]float32, 10)
	err := kernels.GemmW4(1, a, bk.W5, &kernels.Epilogue{AScale: 1, Bias: bk.Bias5}, nil, logits, nil)
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
