//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

func init() {
	epilogueF32Fast = epilogueF32Wasm
	addVariant("epilogue_i8", "wasm")
}

// epilogueF32Wasm is epilogueF32Ref four channels a vector: the same
// int32 subtraction, an exact-rounding int-to-float conversion, and the
// float32 multiply then add (no fused multiply-add), so it is bit-exact.
// y[i,j] = float32(acc[i,j] - zero*colSum[j]) * sc[j] + bias[j]
func epilogueF32Wasm(m, n int, acc []int32, zero int32, colSum []int32, sc, bias, out []float32) {
	zc := make([]int32, n)
	for j := range zc {
		zc[j] = zero * colSum[j]
	}
	for i := 0; i < m; i++ {
		row, o := acc[i*n:(i+1)*n], out[i*n:(i+1)*n]
		for j := 0; j < n; j += 4 {
			v := archsimd.LoadInt32x4(row[j : j+4]).Sub(archsimd.LoadInt32x4(zc[j : j+4])).ConvertToFloat32()
			v.Mul(archsimd.LoadFloat32x4(sc[j : j+4])).Add(archsimd.LoadFloat32x4(bias[j : j+4])).Store(o[j : j+4])
		}
	}
}
