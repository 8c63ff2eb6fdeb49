// Package nntest checks the gradients of nn layers against central differences, for the tests of the packages that build on nn.
package nntest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/qdiff/qdiff/models/nn"
)

// GradTol is the relative tolerance of float32 central differences.
const GradTol = 3e-2

// RandT is a tensor of standard normal values.
func RandT(rng *rand.Rand, b, c, h, w int) *nn.T {
	t := nn.NewT(b, c, h, w)
	for i := range t.D {
		t.D[i] = float32(rng.NormFloat64())
	}
	return t
}

// Dot is the float64 dot product of a and b.
func Dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// CheckGrads compares analytic directional derivatives of L = <fwd(), r>
// with central differences, along random directions in x and in each param.
func CheckGrads(t testing.TB, name string, rng *rand.Rand, x *nn.T, params []*nn.Param, fwd func() *nn.T, bwd func(dy *nn.T) *nn.T) {
	t.Helper()
	y := fwd()
	r := RandT(rng, y.B, y.C, y.H, y.W)
	for _, p := range params {
		clear(p.G)
	}
	dx := bwd(r)
	loss := func() float64 { return Dot(fwd().D, r.D) }
	const eps = 1e-2
	check := func(what string, vals []float32, grad []float32) {
		v := make([]float32, len(vals))
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		want := Dot(grad, v)
		// keep the whole perturbation small for large tensors
		h := eps * math.Min(1, 10/math.Sqrt(float64(len(vals))))
		orig := append([]float32(nil), vals...)
		for i := range vals {
			vals[i] = orig[i] + float32(h)*v[i]
		}
		lp := loss()
		for i := range vals {
			vals[i] = orig[i] - float32(h)*v[i]
		}
		lm := loss()
		copy(vals, orig)
		got := (lp - lm) / (2 * h)
		if math.Abs(got-want) > GradTol*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: d/d%s: analytic %.6g, numeric %.6g", name, what, want, got)
		}
	}
	if dx != nil {
		check("x", x.D, dx.D)
	}
	for _, p := range params {
		check(p.Name, p.W, p.G)
	}
}

// LossTol is the relative tolerance of the central differences below.
const LossTol = 2e-3

// CheckLossGrads compares the analytic directional derivative of loss along a
// random direction of each tensor with a central difference.
func CheckLossGrads(t testing.TB, name string, rng *rand.Rand, xs []*nn.T, grads []*nn.T, loss func() float64) {
	t.Helper()
	for k, x := range xs {
		v := make([]float32, len(x.D))
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		want := Dot(grads[k].D, v)
		const h = 1e-3
		orig := append([]float32(nil), x.D...)
		for i := range x.D {
			x.D[i] = orig[i] + h*v[i]
		}
		lp := loss()
		for i := range x.D {
			x.D[i] = orig[i] - h*v[i]
		}
		lm := loss()
		copy(x.D, orig)
		got := (lp - lm) / (2 * h)
		if math.Abs(got-want) > LossTol*math.Max(1, math.Abs(want)) {
			t.Errorf("%s: tensor %d: analytic %.6g, numeric %.6g", name, k, want, got)
		}
	}
}
