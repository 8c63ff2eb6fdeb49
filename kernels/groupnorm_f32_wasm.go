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
	m, r := groupStats(hw, c, groups, eps, x, chanSumsWasm)
	for p := 0; p < hw; p++ {
		xr, yr := x[p*c:(p+1)*c], y[p*c:(p+1)*c]
		for ch := 0; ch < c; ch += 4 {
			v := archsimd.LoadFloat32x4(xr[ch : ch+4]).Sub(archsimd.LoadFloat32x4(m[ch : ch+4]))
			v = v.Mul(archsimd.LoadFloat32x4(r[ch : ch+4])).Mul(archsimd.LoadFloat32x4(gamma[ch : ch+4]))
			v.Add(archsimd.LoadFloat32x4(beta[ch : ch+4])).Store(yr[ch : ch+4])
		}
	}
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
