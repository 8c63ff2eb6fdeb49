//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

func init() {
	groupNormFast = groupNormWasm
	addVariant("groupnorm_f32", "wasm")
}

// groupNormWasm normalizes four channels a vector with the reference's
// float32 operations in the reference's order (wasm has no fused
// multiply-add), so results are bit-exact; the float64 statistics are the
// reference's. Channel counts not a multiple of 4 run the reference.
func groupNormWasm(hw, c, groups int, eps float32, x, gamma, beta, y []float32) {
	if c%4 != 0 {
		groupNormRef(hw, c, groups, eps, x, gamma, beta, y)
		return
	}
	m, r := groupStats(hw, c, groups, eps, x)
	for p := 0; p < hw; p++ {
		xr, yr := x[p*c:(p+1)*c], y[p*c:(p+1)*c]
		for ch := 0; ch < c; ch += 4 {
			v := archsimd.LoadFloat32x4(xr[ch : ch+4]).Sub(archsimd.LoadFloat32x4(m[ch : ch+4]))
			v = v.Mul(archsimd.LoadFloat32x4(r[ch : ch+4])).Mul(archsimd.LoadFloat32x4(gamma[ch : ch+4]))
			v.Add(archsimd.LoadFloat32x4(beta[ch : ch+4])).Store(yr[ch : ch+4])
		}
	}
}
