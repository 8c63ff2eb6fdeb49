package bnet

import (
	"fmt"

	"github.com/qdiff/qdiff/kernels"
)

// first is the geometry of the first (8-bit) convolution.
var first = kernels.ConvShape{H: 28, W: 28, Cin: 1, Cout: 32, KSize: 3, Stride: 1}

// firstAScale is the first layer's activation scale: pixel/255.
const firstAScale = float32(1.0 / 255)

// prepare derives, once, the forms the kernels run: the first layer's
// float thresholds become integer thresholds on the pixel dot product
// (exactly equivalent, see firstThreshold), and the last layer's 4-bit
// weights an int8 matrix in a prepared product with the sign bits; the
// binary layers become prepared convolutions.
func (bk *Net) prepare() error {
	bk.once.Do(func() { bk.prepErr = bk.derive() })
	return bk.prepErr
}

func (bk *Net) derive() error {
	if bk.W1 == nil || bk.W1.N != 32 || bk.W1.K != 9 || len(bk.Bias1) != 32 || len(bk.Thr1) != 32 || len(bk.Flip1) != 32 || bk.W5 == nil {
		return fmt.Errorf("bnet: incomplete network")
	}
	w1s := make([]int8, 32*9)
	thr1 := make([]int32, 32)
	for c := range 32 {
		s, t := firstThreshold(bk.W1.Scale[c], bk.Bias1[c], bk.Thr1[c], bk.Flip1[c])
		thr1[c] = t
		for k := range 9 {
			w1s[c*9+k] = int8(int32(bk.W1.Data[c*9+k]) * s)
		}
	}
	w5, err := kernels.NewQ8Matrix(bk.W5.N, bk.W5.K, bk.W5.Unpack(), bk.W5.Scale)
	if err != nil {
		return fmt.Errorf("bnet: fc: %w", err)
	}
	var plans [3]*kernels.ConvB1SignPlan
	for l, s := range bk.Shapes {
		if plans[l], err = kernels.NewConvB1SignPlan(s, bk.B[l], bk.Th[l]); err != nil {
			return fmt.Errorf("bnet: binary layer %d: %w", l+1, err)
		}
	}
	last, err := kernels.NewGemmB1I8Plan(w5)
	if err != nil {
		return fmt.Errorf("bnet: fc: %w", err)
	}
	bk.w1s, bk.thr1, bk.last, bk.plans = w1s, thr1, last, plans
	return nil
}

// firstDotMax bounds the first layer's dot products: 9 taps of weights
// |w| <= 127 on pixels <= 255.
const firstDotMax = 9 * kernels.Q8Max * 255

// firstY is the first layer's float output for the pixel dot product v,
// computed as the kernels' epilogue computes it.
func firstY(v int32, wscale, bias float32) float32 {
	sc := float32(firstAScale * wscale)
	return float32(float32(v)*sc) + bias
}

// firstThreshold turns the float rule "+1 when y >= thr (y <= thr when
// flip)" on y = firstY(v) into the integer rule "-1 when s*v < t". y is
// monotone in v (float rounding is monotone), so the set of v that give
// -1 is an interval at one end of [-firstDotMax, firstDotMax], found by
// bisection on the exact float computation.
func firstThreshold(wscale, bias, thr float32, flip bool) (s, t int32) {
	neg := func(v int32) bool {
		y := firstY(v, wscale, bias)
		if flip {
			return !(y <= thr)
		}
		return !(y >= thr)
	}
	lo, hi := int32(-firstDotMax), int32(firstDotMax)
	nl, nh := neg(lo), neg(hi)
	switch {
	case nl && nh:
		return 1, hi + 1 // always -1
	case !nl && !nh:
		return 1, lo // never
	case nl: // -1 below the boundary: +1 from the first v that is not -1
		return 1, flipPoint(lo, hi, neg)
	default: // -1 above: -1 when v >= the flip point, i.e. -v < -(flip-1)
		return -1, -(flipPoint(lo, hi, neg) - 1)
	}
}

// flipPoint returns the smallest v in (lo, hi] where f(v) differs from
// f(lo), for f monotone on [lo, hi] with f(lo) != f(hi).
func flipPoint(lo, hi int32, f func(int32) bool) int32 {
	at := f(lo)
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if f(mid) == at {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}
