//go:build goexperiment.simd && wasm

package kernels

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
	if n8 > 0 && m4 > 0 {
		_, _, _ = a[(m4-1)*k+k-1], b[(k-1)*n+n8-1], c[(m4-1)*n+n8-1]
		for i := 0; i < m4; i += 4 {
			gemmF32Rows4(k, &a[i*k], 4*k, &b[0], 4*n, n8/8, &c[i*n], 4*n)
		}
	}
	if n8 < n {
		gemmF32Block(n, k, a, b, c, 0, m4, n8, n, 0, k)
	}
	if m4 < m {
		gemmF32Block(n, k, a, b, c, m4, m, 0, n, 0, k)
	}
}

// gemmF32Rows4 (gemm_f32_4x8_wasm.s) runs the 4x8 tile (eight 4-lane
// accumulators, A broadcast, c + a*b in k order) over four rows of A and
// npan 8-column panels of B and C in one call (row strides in bytes).
//
//go:noescape
func gemmF32Rows4(k int, a *float32, lda int, b *float32, ldb int, npan int, c *float32, ldc int)
