//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

func init() {
	quantizeFast = quantizeWasm
	addVariant("quant_f32", "wasm")
}

// quantVec (quant_f32_wasm.s) quantizes 16*n16 values of x into q with
// c = {inv, zero}, as quantizeRef does.
//
//go:noescape
func quantVec(n16 int, x *float32, q *int8, c *[2]float32)

// q = clamp(RoundToEven(x*inv) + zero, -128, 127); f32x4.nearest rounds
// half to even, as math.RoundToEven does, so results are bit-exact.
// Sixteen values at a time in assembly, then four at a time, then scalar.
func quantizeWasm(x []float32, inv float32, zero int32, q []int8) {
	vi := archsimd.BroadcastFloat32x4(inv)
	lo, hi := archsimd.BroadcastFloat32x4(-128), archsimd.BroadcastFloat32x4(127)
	vz := archsimd.BroadcastFloat32x4(float32(zero))
	n16 := len(x) &^ 15
	if n16 > 0 {
		_ = q[n16-1]
		c := [2]float32{inv, float32(zero)}
		quantVec(n16/16, &x[0], &q[0], &c)
	}
	n4 := len(x) &^ 3
	var buf [4]int32
	for i := n16; i < n4; i += 4 {
		v := archsimd.LoadFloat32x4(x[i : i+4]).Mul(vi).Round().Add(vz)
		v.Max(lo).Min(hi).ConvertToInt32().StoreArray(&buf)
		q[i], q[i+1], q[i+2], q[i+3] = int8(buf[0]), int8(buf[1]), int8(buf[2]), int8(buf[3])
	}
	quantizeRef(x[n4:], inv, zero, q[n4:len(x)])
}
