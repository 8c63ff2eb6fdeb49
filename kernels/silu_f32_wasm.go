//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

func init() {
	siluFast = siluWasm
	addVariant("silu_f32", "wasm")
}

// expF32x4 is ExpF32 on four lanes, operation for operation.
func expF32x4(x archsimd.Float32x4) archsimd.Float32x4 {
	x = x.Max(archsimd.BroadcastFloat32x4(expLo)).Min(archsimd.BroadcastFloat32x4(expHi))
	n := x.Mul(archsimd.BroadcastFloat32x4(expLog2e)).Round()
	r := x.Sub(n.Mul(archsimd.BroadcastFloat32x4(expLn2Hi))).Sub(n.Mul(archsimd.BroadcastFloat32x4(expLn2Lo)))
	p := archsimd.BroadcastFloat32x4(expP0)
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x4(expP1))
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x4(expP2))
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x4(expP3))
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x4(expP4))
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x4(expP5))
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
