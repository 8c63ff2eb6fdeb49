//go:build goexperiment.simd && wasm

package kernels

import (
	"simd/archsimd"
	"unsafe"
)

func init() {
	gemmW4Fast = gemmW4Wasm
	addVariant("gemm_w4", "wasm")
}

// gemmW4Wasm unpacks each 16-byte block into two i8x16 vectors (low
// nibbles: weights 0..15, high nibbles: 16..31) with arithmetic shifts and
// reuses them across a 2x2 tile.
// acc[M,N] = A[M,K] x W[K,N], W 4-bit packed as WT[N,KP/2]
func gemmW4Wasm(m, n, k int, a []int8, w []uint8, acc []int32) {
	m2, n2 := m&^1, n&^1
	for i := 0; i < m2; i += 2 {
		for j := 0; j < n2; j += 2 {
			gemmW4Tile2x2(k, a[i*k:], w, j, acc[i*n+j:], n)
		}
	}
	if n2 < n {
		gemmW4Block(n, k, a, w, acc, 0, m2, n2, n)
	}
	if m2 < m {
		gemmW4Block(n, k, a, w, acc, m2, m, 0, n)
	}
}

func unpackQ4(p unsafe.Pointer, off int) (lo, hi archsimd.Int8x16) {
	v := archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(p, off)))
	return v.ShiftAllLeft(4).ShiftAllRight(4), v.ShiftAllRight(4)
}

// acc[0:2, 0:2] (row stride ldc) = A[0:2, :K] x W4[j:j+2]^T
func gemmW4Tile2x2(k int, a []int8, w []uint8, j int, acc []int32, ldc int) {
	kp := (k + Q4BlockK - 1) / Q4BlockK * Q4BlockK
	row0, row1 := w[j*kp/2:(j+1)*kp/2], w[(j+1)*kp/2:(j+2)*kp/2]
	_, _ = a[2*k-1], acc[ldc+1]
	pa0, pa1 := unsafe.Pointer(&a[0]), unsafe.Pointer(&a[k])
	pw0, pw1 := unsafe.Pointer(&row0[0]), unsafe.Pointer(&row1[0])
	var s00, s01, s10, s11 archsimd.Int32x4
	p := 0
	for ; p+Q4BlockK <= k; p += Q4BlockK {
		l0, h0 := unpackQ4(pw0, p/2)
		l1, h1 := unpackQ4(pw1, p/2)
		a0, a1 := ld16(pa0, p), ld16(pa1, p)
		s00, s01, s10, s11 = dotI8x16(s00, a0, l0), dotI8x16(s01, a0, l1), dotI8x16(s10, a1, l0), dotI8x16(s11, a1, l1)
		a0, a1 = ld16(pa0, p+16), ld16(pa1, p+16)
		s00, s01, s10, s11 = dotI8x16(s00, a0, h0), dotI8x16(s01, a0, h1), dotI8x16(s10, a1, h0), dotI8x16(s11, a1, h1)
	}
	r00, r01, r10, r11 := hsum(s00), hsum(s01), hsum(s10), hsum(s11)
	for ; p < k; p++ {
		x0, x1 := int32(a[p]), int32(a[k+p])
		y0, y1 := int32(q4At(row0, p)), int32(q4At(row1, p))
		r00 += x0 * y0
		r01 += x0 * y1
		r10 += x1 * y0
		r11 += x1 * y1
	}
	acc[0], acc[1], acc[ldc], acc[ldc+1] = r00, r01, r10, r11
}
