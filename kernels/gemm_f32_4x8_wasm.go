//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

func init() {
	gemmF32Fast = gemmF32Wasm
	addVariant("gemm_f32", "wasm")
}

// gemmF32Wasm tiles C in 4x8 blocks held in eight 4-lane accumulators.
// C[M,N] (+)= A[M,K] x B[K,N]
func gemmF32Wasm(m, n, k int, a, b, c []float32, acc bool) {
	if !acc {
		clear(c[:m*n])
	}
	m4, n8 := m&^3, n&^7
	for i := 0; i < m4; i += 4 {
		for j := 0; j < n8; j += 8 {
			gemmF32Micro4x8(n, k, a, b, c, i, j)
		}
	}
	if n8 < n {
		gemmF32Block(n, k, a, b, c, 0, m4, n8, n, 0, k)
	}
	if m4 < m {
		gemmF32Block(n, k, a, b, c, m4, m, 0, n, 0, k)
	}
}

// C[i:i+4, j:j+8] += A[i:i+4, :] x B[:, j:j+8]
func gemmF32Micro4x8(n, k int, a, b, c []float32, i, j int) {
	r0, r1, r2, r3 := c[i*n+j:], c[(i+1)*n+j:], c[(i+2)*n+j:], c[(i+3)*n+j:]
	c00, c01 := archsimd.LoadFloat32x4(r0[:4]), archsimd.LoadFloat32x4(r0[4:8])
	c10, c11 := archsimd.LoadFloat32x4(r1[:4]), archsimd.LoadFloat32x4(r1[4:8])
	c20, c21 := archsimd.LoadFloat32x4(r2[:4]), archsimd.LoadFloat32x4(r2[4:8])
	c30, c31 := archsimd.LoadFloat32x4(r3[:4]), archsimd.LoadFloat32x4(r3[4:8])
	a0, a1, a2, a3 := a[i*k:i*k+k], a[(i+1)*k:(i+1)*k+k], a[(i+2)*k:(i+2)*k+k], a[(i+3)*k:(i+3)*k+k]
	for p := 0; p < k; p++ {
		bp := b[p*n+j : p*n+j+8]
		b0, b1 := archsimd.LoadFloat32x4(bp[:4]), archsimd.LoadFloat32x4(bp[4:8])
		v := archsimd.BroadcastFloat32x4(a0[p])
		c00, c01 = c00.Add(v.Mul(b0)), c01.Add(v.Mul(b1))
		v = archsimd.BroadcastFloat32x4(a1[p])
		c10, c11 = c10.Add(v.Mul(b0)), c11.Add(v.Mul(b1))
		v = archsimd.BroadcastFloat32x4(a2[p])
		c20, c21 = c20.Add(v.Mul(b0)), c21.Add(v.Mul(b1))
		v = archsimd.BroadcastFloat32x4(a3[p])
		c30, c31 = c30.Add(v.Mul(b0)), c31.Add(v.Mul(b1))
	}
	c00.Store(r0[:4])
	c01.Store(r0[4:8])
	c10.Store(r1[:4])
	c11.Store(r1[4:8])
	c20.Store(r2[:4])
	c21.Store(r2[4:8])
	c30.Store(r3[:4])
	c31.Store(r3[4:8])
}
