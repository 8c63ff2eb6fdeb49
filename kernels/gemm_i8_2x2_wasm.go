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

// gemmI8Wasm runs pairs of rows through the assembly panel (2x2 register
// tiles of four i32x4 accumulators over K in 16-byte steps with
// i32x4.dot_i16x8_s); the odd last row takes 1x2 tiles, odd columns
// the reference.
// acc[M,N] = A[M,K] x W[K,N], W stored as WT[N,K]
func gemmI8Wasm(m, n, k int, a, wt []int8, acc []int32) {
	m2, n2 := m&^1, n&^1
	for i := 0; i < m2 && n2 > 0; i += 2 {
		gemmI8Rows2(k, n2, a[i*k:], wt, acc[i*n:], n)
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

// gemmI8Panel2 (gemm_i8_2x2_wasm.s) writes the 2 x n2 block of acc at
// row stride ldc from A rows a, a+k and WT rows wt + j*k over the first
// 16*k16 bytes of each row; scr is scratch.
//
//go:noescape
func gemmI8Panel2(k16, k, n2 int, a, wt *int8, acc *int32, ldc int, scr *[4]int32)

// acc[0:2, 0:n2] (row stride ldc) = A[0:2, :K] x WT[0:n2, :K]^T: the
// assembly panel over whole 16-byte blocks, then the odd bytes.
func gemmI8Rows2(k, n2 int, a, wt []int8, acc []int32, ldc int) {
	_, _, _ = a[2*k-1], wt[n2*k-1], acc[ldc+n2-1]
	k16 := k / 16
	if k16 == 0 {
		clear(acc[:n2])
		clear(acc[ldc : ldc+n2])
	} else {
		var scr [4]int32
		gemmI8Panel2(k16, k, n2, &a[0], &wt[0], &acc[0], ldc, &scr)
	}
	for p := 16 * k16; p < k; p++ {
		x0, x1 := int32(a[p]), int32(a[k+p])
		for j := 0; j < n2; j++ {
			y := int32(wt[j*k+p])
			acc[j] += x0 * y
			acc[ldc+j] += x1 * y
		}
	}
}
