package kernels

import "math"

// QuantizeOne is the rounding rule shared by every variant:
// clamp(RoundToEven(y*inv) + zero, -128, 127), with y*inv rounded to float32;
// NaN gives 0, as wasm's saturating conversion does.
func QuantizeOne(y, inv float32, zero int32) int8 {
	q := math.RoundToEven(float64(float32(y * inv)))
	if q != q {
		return 0
	}
	q += float64(zero)
	if q > 127 {
		return 127
	}
	if q < -128 {
		return -128
	}
	return int8(q)
}

// Quantize writes q[i] = QuantizeOne(x[i], 1/scale, zero).
func Quantize(x []float32, scale float32, zero int32, q []int8) error {
	if err := needLen("Quantize", "q", len(q), len(x)); err != nil {
		return err
	}
	if !(scale > 0) {
		return shapeErr("Quantize", "scale must be > 0, got %v", scale)
	}
	quantizeFast(x, 1/scale, zero, q)
	return nil
}

var quantizeFast = quantizeRef

// q[i] = clamp(round(x[i]*inv) + zero)
func quantizeRef(x []float32, inv float32, zero int32, q []int8) {
	for i, v := range x {
		q[i] = QuantizeOne(v, inv, zero)
	}
}

// Dequantize writes x[i] = float32(q[i]-zero) * scale.
func Dequantize(q []int8, scale float32, zero int32, x []float32) error {
	if err := needLen("Dequantize", "x", len(x), len(q)); err != nil {
		return err
	}
	for i, v := range q {
		x[i] = float32(int32(v)-zero) * scale
	}
	return nil
}
