package kernels

import "math"

// Constants of ExpF32, shared with its SIMD twin.
const (
	expLo, expHi = -87, 88
	expLog2e     = 1.44269504
	expLn2Hi     = 0.693359375
	expLn2Lo     = -2.12194440e-4
	expP0, expP1 = 1.9875691500e-4, 1.3981999507e-3
	expP2, expP3 = 8.3334519073e-3, 4.1665795894e-2
	expP4, expP5 = 1.6666665459e-1, 5.0000001201e-1
)

// ExpF32 is exp(x) in float32 by range reduction and a degree-6
// polynomial (relative error about 2e-7 on [-87, 88]). Every step is one
// rounded float32 operation, in the same order as the wasm SIMD variant,
// so both give the same bits; SiLU and Softmax use it so that the float
// parts of the integer engine are bit-identical across targets.
func ExpF32(x float32) float32 {
	x = min(max(x, expLo), expHi)
	n := float32(math.RoundToEven(float64(float32(x * expLog2e))))
	r := float32(float32(x-float32(n*expLn2Hi)) - float32(n*expLn2Lo))
	p := float32(expP0)
	p = float32(float32(p*r) + expP1)
	p = float32(float32(p*r) + expP2)
	p = float32(float32(p*r) + expP3)
	p = float32(float32(p*r) + expP4)
	p = float32(float32(p*r) + expP5)
	p = float32(float32(float32(p*float32(r*r))+r) + 1)
	e := math.Float32frombits(uint32(int32(n)+127) << 23)
	return p * e
}
