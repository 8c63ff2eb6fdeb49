package kernels

import (
	"math"
	"testing"
)

// expTol is ExpF32's relative error bound against math.Exp.
const expTol = 4e-7

func TestExpF32(t *testing.T) {
	for x := float32(-87); x <= 88; x += 0.0137 {
		want := math.Exp(float64(x))
		if got := float64(ExpF32(x)); math.Abs(got-want) > expTol*want {
			t.Fatalf("ExpF32(%v) = %v, want %v", x, got, want)
		}
	}
	if ExpF32(-1000) == 0 || math.IsInf(float64(ExpF32(1000)), 0) {
		t.Error("inputs outside [-87, 88] are not clamped")
	}
}
