//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

func init() {
	siluFast = siluWasm
	addVariant("silu_f32", "wasm", nil)
}

// expF32x4 is exp(x) by range reduction to r in [-ln2/2, ln2/2] and a
// degree-6 polynomial (relative error about 2e-7 on [-87, 88]).
func expF32x4(x archsimd.Float32x4) archsimd.Float32x4 {
	x = x.Max(archsimd.BroadcastFloat32x4(-87)).Min(archsimd.BroadcastFloat32x4(88))
	n := x.Mul(archsimd.BroadcastFloat32x4(1.44269504)).Round()
	r := x.Sub(n.Mul(archsimd.BroadcastFloat32x4(0.693359375))).Sub(n.Mul(archsimd.BroadcastFloat32x4(-2.12194440e-4)))
	p := archsimd.BroadcastFloat32x4(1.9875691500e-4)
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x4(1.3981999507e-3))
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x4(8.3334519073e-3))
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x4(4.1665795894e-2))
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x4(1.6666665459e-1))
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x4(5.0000001201e-1))
	p = p.Mul(r.Mul(r)).Add(r).Add(archsimd.BroadcastFloat32x4(1))
	e := n.ConvertToInt32().Add(archsimd.BroadcastInt32x4(127)).ShiftAllLeft(23)
	return p.Mul(e.ToBits().BitsToFloat32())
}

// y = x * sigmoid(x) = x / (1 + exp(-x))
func siluWasm(x, y []float32) {
	n4 := len(x) &^ 3
	one := archsimd.BroadcastFloat32x4(1)
	for i := 0; i < n4; i += 4 {
		v := archsimd.LoadFloat32x4(x[i : i+4])
		v.Div(one.Add(expF32x4(v.Neg()))).Store(y[i : i+4])
	}
	siluRef(x[n4:], y[n4:len(x)])
}
