//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

func init() {
	quantizeFast = quantizeWasm
	addVariant("quant_f32", "wasm")
}

// q = clamp(RoundToEven(x*inv) + zero, -128, 127); f32x4.nearest rounds
// half to even, as math.RoundToEven does, so results are bit-exact.
// Sixteen values at a time are narrowed to bytes by swizzling each i32x4's
// low bytes into place (there is no narrowing op) and ORing the four.
func quantizeWasm(x []float32, inv float32, zero int32, q []int8) {
	vi := archsimd.BroadcastFloat32x4(inv)
	lo, hi := archsimd.BroadcastFloat32x4(-128), archsimd.BroadcastFloat32x4(127)
	vz := archsimd.BroadcastFloat32x4(float32(zero))
	conv := func(i int) archsimd.Int8x16 {
		v := archsimd.LoadFloat32x4(x[i : i+4]).Mul(vi).Round().Add(vz)
		return v.Max(lo).Min(hi).ConvertToInt32().ToBits().ReshapeToUint8s().BitsToInt8()
	}
	i0, i1 := archsimd.LoadInt8x16Array(&narrowIdx[0]), archsimd.LoadInt8x16Array(&narrowIdx[1])
	i2, i3 := archsimd.LoadInt8x16Array(&narrowIdx[2]), archsimd.LoadInt8x16Array(&narrowIdx[3])
	n16 := len(x) &^ 15
	for i := 0; i < n16; i += 16 {
		v := conv(i).LookupOrZero(i0).Or(conv(i + 4).LookupOrZero(i1)).Or(conv(i + 8).LookupOrZero(i2)).Or(conv(i + 12).LookupOrZero(i3))
		v.StoreArray((*[16]int8)(q[i : i+16]))
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

// narrowIdx[k] moves the low bytes of lanes 0-3 of an i32x4 to bytes
// 4k..4k+3 and zeroes the rest (-1 is out of range for a swizzle).
var narrowIdx = func() (t [4][16]int8) {
	for k := range t {
		for j := range t[k] {
			t[k][j] = -1
			if j >= 4*k && j < 4*k+4 {
				t[k][j] = int8(4 * (j - 4*k))
			}
		}
	}
	return t
}()
