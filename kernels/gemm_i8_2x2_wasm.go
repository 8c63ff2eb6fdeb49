//go:build goexperiment.simd && wasm

package kernels

import (
	"simd/archsimd"
	"unsafe"
)

func init() {
	gemmI8Fast = gemmI8Wasm
	addVariant("gemm_i8", "wasm")
}

// gemmI8Wasm runs a 2x2 register tile of four i32x4 accumulators over K in
// steps of 32 (two 16-byte vectors; measured under wazero: 2x2 beat 2x4
// and 1x4, unrolling to 64 did not help); edges run the reference.
// acc[M,N] = A[M,K] x W[K,N], W stored as WT[N,K]
func gemmI8Wasm(m, n, k int, a, wt []int8, acc []int32) {
	m2, n2 := m&^1, n&^1
	for i := 0; i < m2; i += 2 {
		for j := 0; j < n2; j += 2 {
			gemmI8Tile2x2(k, a[i*k:], wt[j*k:], acc[i*n+j:], n)
		}
	}
	if n2 < n {
		gemmI8Block(n, k, a, wt, acc, 0, m2, n2, n)
	}
	if m2 < m { // the odd last row: 1x2 tiles (M = 1 is a matrix-vector product)
		for j := 0; j < n2; j += 2 {
			gemmI8Tile1x2(k, a[m2*k:], wt[j*k:], acc[m2*n+j:])
		}
		if n2 < n {
			gemmI8Block(n, k, a, wt, acc, m2, m, n2, n)
		}
	}
}

// acc[0, 0:2] = A[0, :K] x WT[0:2, :K]^T
func gemmI8Tile1x2(k int, a, wt []int8, acc []int32) {
	_, _, _ = a[k-1], wt[2*k-1], acc[1]
	pa := unsafe.Pointer(&a[0])
	pw0, pw1 := unsafe.Pointer(&wt[0]), unsafe.Pointer(&wt[k])
	var s0, s1 archsimd.Int32x4
	p := 0
	for ; p+16 <= k; p += 16 {
		a0 := ld16(pa, p)
		s0, s1 = dotI8x16(s0, a0, ld16(pw0, p)), dotI8x16(s1, a0, ld16(pw1, p))
	}
	r0, r1 := hsum(s0), hsum(s1)
	for ; p < k; p++ {
		x := int32(a[p])
		r0 += x * int32(wt[p])
		r1 += x * int32(wt[k+p])
	}
	acc[0], acc[1] = r0, r1
}

// dotI8x16 adds the 16 products x*y into the four lanes of s.
// |x*y| <= 128*127, so a sum of two products fits int16.
func dotI8x16(s archsimd.Int32x4, x, y archsimd.Int8x16) archsimd.Int32x4 {
	p := x.MulWidenLo(y).Add(x.MulWidenHi(y))
	return s.Add(p.ExtendLo4ToInt32()).Add(p.ExtendHi4ToInt32())
}

func ld16(p unsafe.Pointer, off int) archsimd.Int8x16 {
	return archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(p, off)))
}

func hsum(v archsimd.Int32x4) int32 {
	return v.GetElem(0) + v.GetElem(1) + v.GetElem(2) + v.GetElem(3)
}

// acc[0:2, 0:2] (row stride ldc) = A[0:2, :K] x WT[0:2, :K]^T
func gemmI8Tile2x2(k int, a, wt []int8, acc []int32, ldc int) {
	_, _, _ = a[2*k-1], wt[2*k-1], acc[ldc+1]
	pa0, pa1 := unsafe.Pointer(&a[0]), unsafe.Pointer(&a[k])
	pw0, pw1 := unsafe.Pointer(&wt[0]), unsafe.Pointer(&wt[k])
	var s00, s01, s10, s11 archsimd.Int32x4
	p := 0
	for ; p+32 <= k; p += 32 {
		a0, a1, w0, w1 := ld16(pa0, p), ld16(pa1, p), ld16(pw0, p), ld16(pw1, p)
		s00, s01, s10, s11 = dotI8x16(s00, a0, w0), dotI8x16(s01, a0, w1), dotI8x16(s10, a1, w0), dotI8x16(s11, a1, w1)
		a0, a1, w0, w1 = ld16(pa0, p+16), ld16(pa1, p+16), ld16(pw0, p+16), ld16(pw1, p+16)
		s00, s01, s10, s11 = dotI8x16(s00, a0, w0), dotI8x16(s01, a0, w1), dotI8x16(s10, a1, w0), dotI8x16(s11, a1, w1)
	}
	if p+16 <= k {
		a0, a1, w0, w1 := ld16(pa0, p), ld16(pa1, p), ld16(pw0, p), ld16(pw1, p)
		s00, s01, s10, s11 = dotI8x16(s00, a0, w0), dotI8x16(s01, a0, w1), dotI8x16(s10, a1, w0), dotI8x16(s11, a1, w1)
		p += 16
	}
	r00, r01, r10, r11 := hsum(s00), hsum(s01), hsum(s10), hsum(s11)
	for ; p < k; p++ {
		x0, x1, y0, y1 := int32(a[p]), int32(a[k+p]), int32(wt[p]), int32(wt[k+p])
		r00 += x0 * y0
		r01 += x0 * y1
		r10 += x1 * y0
		r11 += x1 * y1
	}
	acc[0], acc[1], acc[ldc], acc[ldc+1] = r00, r01, r10, r11
}
