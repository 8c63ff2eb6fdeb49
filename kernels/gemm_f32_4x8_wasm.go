//go:build goexperiment.simd && wasm

package kernels

import "sync"

func init() {
	gemmF32Fast = gemmF32Wasm
	gemmF32TFast = gemmF32TWasm
	addVariant("gemm_f32", "wasm")
	addVariant("gemm_f32t", "wasm")
}

// gemmF32Wasm tiles C in 4x8 blocks held in eight 4-lane accumulators.
// The edges (N mod 8 columns, M mod 4 rows) run the same tile on
// zero-padded copies, so every element is c + a*b in k order as in the
// scalar loop, bit for bit: a 1-column conv or a 1-row linear layer no
// longer runs scalar.
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
	if n8 == n && m4 == m {
		return
	}
	sp := f32Scratch.Get().(*f32Bufs)
	defer f32Scratch.Put(sp)
	if n8 < n { // B's last columns as one 8-column panel, zero-padded
		sp.b = growTo(sp.b, k*8)
		clear(sp.b)
		for p := range k {
			copy(sp.b[p*8:], b[p*n+n8:(p+1)*n])
		}
		if m4 > 0 {
			sp.c = growTo(sp.c, m4*8)
			for i := range m4 {
				copy(sp.c[i*8:], c[i*n+n8:(i+1)*n])
			}
			for i := 0; i < m4; i += 4 {
				gemmF32Rows4(k, &a[i*k], 4*k, &sp.b[0], 32, 1, &sp.c[i*8], 32)
			}
			for i := range m4 {
				copy(c[i*n+n8:(i+1)*n], sp.c[i*8:])
			}
		}
	}
	if m4 < m { // the last rows as a zero-padded 4-row block
		np := (n + 7) &^ 7
		sp.a = growTo(sp.a, 4*k)
		clear(sp.a[copy(sp.a, a[m4*k:m*k]):])
		sp.c = growTo(sp.c, 4*np)
		clear(sp.c)
		for i := m4; i < m; i++ {
			copy(sp.c[(i-m4)*np:], c[i*n:(i+1)*n])
		}
		if n8 > 0 {
			gemmF32Rows4(k, &sp.a[0], 4*k, &b[0], 4*n, n8/8, &sp.c[0], 4*np)
		}
		if n8 < n {
			gemmF32Rows4(k, &sp.a[0], 4*k, &sp.b[0], 32, 1, &sp.c[n8], 4*np)
		}
		for i := m4; i < m; i++ {
			copy(c[i*n:(i+1)*n], sp.c[(i-m4)*np:])
		}
	}
}

// gemmF32TWasm is gemmF32TRef through gemmF32Wasm on transposed copies
// of the transposed operands (the same operations in the same order).
// C[M,N] (+)= op(A)[M,K] x op(B)[K,N]
func gemmF32TWasm(transA, transB bool, m, n, k int, a, b, c []float32, acc bool) {
	sp := f32Scratch.Get().(*f32Bufs)
	defer f32Scratch.Put(sp)
	if transA {
		sp.ta = transposeF32(k, m, a, growTo(sp.ta, m*k))
		a = sp.ta
	}
	if transB {
		sp.tb = transposeF32(n, k, b, growTo(sp.tb, k*n))
		b = sp.tb
	}
	gemmF32Wasm(m, n, k, a, b, c, acc)
}

// transposeF32 writes the [cols, rows] transpose of x [rows, cols] to t.
func transposeF32(rows, cols int, x, t []float32) []float32 {
	for i := range rows {
		for j, v := range x[i*cols : (i+1)*cols] {
			t[j*rows+i] = v
		}
	}
	return t
}

type f32Bufs struct{ a, b, c, ta, tb []float32 }

var f32Scratch = sync.Pool{New: func() any { return new(f32Bufs) }}

// gemmF32Rows4 (gemm_f32_4x8_wasm.s) runs the 4x8 tile (eight 4-lane
// accumulators, A broadcast, c + a*b in k order) over four rows of A and
// npan 8-column panels of B and C in one call (row strides in bytes).
//
//go:noescape
func gemmF32Rows4(k int, a *float32, lda int, b *float32, ldb int, npan int, c *float32, ldc int)
