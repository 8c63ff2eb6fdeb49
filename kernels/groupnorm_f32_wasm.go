//go:build goexperiment.simd && wasm

package kernels

func init() {
	groupNormFast = groupNormWasm
	groupNormSiLUFast = groupNormSiLUWasm
	addVariant("groupnorm_f32", "wasm")
	addVariant("groupnorm_silu_f32", "wasm")
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
	gnWasm(hw, c, groups, eps, x, gamma, beta, y, 0)
}

// groupNormSiLUWasm is groupNormWasm with SiLU applied in the same pass.
func groupNormSiLUWasm(hw, c, groups int, eps float32, x, gamma, beta, y []float32) {
	if c%4 != 0 {
		groupNormSiLURef(hw, c, groups, eps, x, gamma, beta, y)
		return
	}
	gnWasm(hw, c, groups, eps, x, gamma, beta, y, 1)
}

// gnVec (groupnorm_f32_wasm.s) normalizes hw pixels of 4*c4 channels with
// the per-four-channel vectors prm (mean, rstd, gamma, beta), then applies
// SiLU when silu is not 0.
//
//go:noescape
func gnVec(hw, c4 int, x, y *float32, prm *float32, c *[12]float32, silu int)

func gnWasm(hw, c, groups int, eps float32, x, gamma, beta, y []float32, silu int) {
	m, r := groupStats(hw, c, groups, eps, x, chanSumsWasm)
	prm := make([]float32, 4*c)
	for ch := 0; ch < c; ch += 4 {
		copy(prm[4*ch:], m[ch:ch+4])
		copy(prm[4*ch+4:], r[ch:ch+4])
		copy(prm[4*ch+8:], gamma[ch:ch+4])
		copy(prm[4*ch+12:], beta[ch:ch+4])
	}
	_, _ = x[hw*c-1], y[hw*c-1]
	gnVec(hw, c/4, &x[0], &y[0], &prm[0], &siluConsts, silu)
}

// gnSums (groupnorm_f32_wasm.s) is chanSumsWasm's loops in assembly.
//
//go:noescape
func gnSums(hw, c4 int, x *float32, s, ss *float64)

// chanSumsWasm is chanSumsRef with four channels in the lanes of a vector:
// each lane adds the same values in the same order. c is a multiple of 4.
func chanSumsWasm(hw, c int, x []float32, s, ss []float64) {
	_, _, _ = x[hw*c-1], s[c-1], ss[c-1]
	gnSums(hw, c/4, &x[0], &s[0], &ss[0])
}
