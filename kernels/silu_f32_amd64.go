//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

func init() {
	if archsimd.X86.AVX2() {
		siluFast = siluAVX2
		addVariant("silu_f32", "amd64")
	}
}

// expF32x8 is ExpF32 on eight lanes, operation for operation (separate
// multiplies and adds, no FMA, so every lane rounds as the reference does).
func expF32x8(x archsimd.Float32x8) archsimd.Float32x8 {
	x = x.Max(archsimd.BroadcastFloat32x8(expLo)).Min(archsimd.BroadcastFloat32x8(expHi))
	n := x.Mul(archsimd.BroadcastFloat32x8(expLog2e)).Round()
	r := x.Sub(n.Mul(archsimd.BroadcastFloat32x8(expLn2Hi))).Sub(n.Mul(archsimd.BroadcastFloat32x8(expLn2Lo)))
	p := archsimd.BroadcastFloat32x8(expP0)
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x8(expP1))
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x8(expP2))
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x8(expP3))
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x8(expP4))
	p = p.Mul(r).Add(archsimd.BroadcastFloat32x8(expP5))
	p = p.Mul(r.Mul(r)).Add(r).Add(archsimd.BroadcastFloat32x8(1))
	e := n.ConvertToInt32().Add(archsimd.BroadcastInt32x8(127)).ShiftAllLeft(23)
	return p.Mul(e.ToBits().BitsToFloat32())
}

// y = x * sigmoid(x) = x / (1 + exp(-x)), eight lanes a step
func siluAVX2(x, y []float32) {
	n8 := len(x) &^ 7
	one := archsimd.BroadcastFloat32x8(1)
	for i := 0; i < n8; i += 8 {
		v := archsimd.LoadFloat32x8(x[i : i+8])
		v.Div(one.Add(expF32x8(v.Neg()))).Store(y[i : i+8])
	}
	siluRef(x[n8:], y[n8:len(x)])
}
