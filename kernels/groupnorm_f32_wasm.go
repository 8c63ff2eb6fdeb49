//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

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

// chanSumsWasm is chanSumsRef with four channels in the lanes of a vector:
// each lane adds the same values in the same order.
func chanSumsWasm(hw, c int, x []float32, s, ss []float64) {
	for p0 := 0; p0 < hw; p0 += gnChunk {
		p1 := min(hw, p0+gnChunk)
		for ch := 0; ch < c; ch += 4 {
			var a, q archsimd.Float32x4
			for p := p0; p < p1; p++ {
				v := archsimd.LoadFloat32x4(x[p*c+ch : p*c+ch+4])
				a = a.Add(v)
				q = q.Add(v.Mul(v))
			}
			s[ch] += float64(a.GetElem(0))
			s[ch+1] += float64(a.GetElem(1))
			s[ch+2] += float64(a.GetElem(2))
			s[ch+3] += float64(a.GetElem(3))
			ss[ch] += float64(q.GetElem(0))
			ss[ch+1] += float64(q.GetElem(1))
			ss[ch+2] += float64(q.GetElem(2))
			ss[ch+3] += float64(q.GetElem(3))
		}
	}
}
