//go:build goexperiment.simd && amd64

package kernels

import (
	"simd/archsimd"
	"unsafe"
)

func init() {
	if archsimd.X86.AVX2() {
		gemmI8Fast = gemmI8AVX2
		gemmW4Fast = gemmW4AVX2
		addVariant("gemm_i8", "amd64")
		addVariant("gemm_w4", "amd64")
	}
}

// gemmI8AVX2 runs a 4x2 tile of eight 8-lane int32 accumulators: 16 int8
// values at a time are sign-extended to int16 (VPMOVSXBW) and multiplied
// and pair-added into int32 (VPMADDWD). Native speed for calibration and
// evaluation; edges run the reference.
// acc[M,N] = A[M,K] x W[K,N], W stored as WT[N,K]
func gemmI8AVX2(m, n, k int, a, wt []int8, acc []int32) {
	m4, n2 := m&^3, n&^1
	for i := 0; i < m4; i += 4 {
		for j := 0; j < n2; j += 2 {
			gemmI8Tile4x2(k, a[i*k:], wt[j*k:(j+2)*k], acc[i*n+j:], n)
		}
	}
	if n2 < n {
		gemmI8Block(n, k, a, wt, acc, 0, m4, n2, n)
	}
	if m4 < m {
		gemmI8Block(n, k, a, wt, acc, m4, m, 0, n)
	}
}

func ld16x(p unsafe.Pointer, off int) archsimd.Int16x16 {
	return archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(p, off))).ExtendToInt16()
}

func hsum8(v archsimd.Int32x8) int32 {
	var b [8]int32
	v.StoreArray(&b)
	return b[0] + b[1] + b[2] + b[3] + b[4] + b[5] + b[6] + b[7]
}

// acc[0:4, 0:2] (row stride ldc) = A[0:4, :K] x WT[0:2, :K]^T
func gemmI8Tile4x2(k int, a, wt []int8, acc []int32, ldc int) {
	_, _, _ = a[4*k-1], wt[2*k-1], acc[3*ldc+1]
	pa, pw := unsafe.Pointer(&a[0]), unsafe.Pointer(&wt[0])
	var s00, s01, s10, s11, s20, s21, s30, s31 archsimd.Int32x8
	p := 0
	for ; p+16 <= k; p += 16 {
		w0, w1 := ld16x(pw, p), ld16x(pw, k+p)
		x := ld16x(pa, p)
		s00, s01 = s00.Add(x.DotProductPairs(w0)), s01.Add(x.DotProductPairs(w1))
		x = ld16x(pa, k+p)
		s10, s11 = s10.Add(x.DotProductPairs(w0)), s11.Add(x.DotProductPairs(w1))
		x = ld16x(pa, 2*k+p)
		s20, s21 = s20.Add(x.DotProductPairs(w0)), s21.Add(x.DotProductPairs(w1))
		x = ld16x(pa, 3*k+p)
		s30, s31 = s30.Add(x.DotProductPairs(w0)), s31.Add(x.DotProductPairs(w1))
	}
	r := [8]int32{hsum8(s00), hsum8(s01), hsum8(s10), hsum8(s11), hsum8(s20), hsum8(s21), hsum8(s30), hsum8(s31)}
	for ; p < k; p++ {
		y0, y1 := int32(wt[p]), int32(wt[k+p])
		for i := 0; i < 4; i++ {
			x := int32(a[i*k+p])
			r[2*i] += x * y0
			r[2*i+1] += x * y1
		}
	}
	for i := 0; i < 4; i++ {
		acc[i*ldc], acc[i*ldc+1] = r[2*i], r[2*i+1]
	}
}

// gemmW4AVX2 unpacks two weight rows at a time to int8 and runs the int8
// tile over every 4 rows of A.
// acc[M,N] = A[M,K] x W[K,N], W 4-bit packed as WT[N,KP/2]
func gemmW4AVX2(m, n, k int, a []int8, w []uint8, acc []int32) {
	kp := (k + Q4BlockK - 1) / Q4BlockK * Q4BlockK
	m4, n2 := m&^3, n&^1
	wt := make([]int8, 2*k)
	for j := 0; j < n2; j += 2 {
		for r := 0; r < 2; r++ {
			row := w[(j+r)*kp/2 : (j+r+1)*kp/2]
			for c := 0; c < k; c++ {
				wt[r*k+c] = q4At(row, c)
			}
		}
		for i := 0; i < m4; i += 4 {
			gemmI8Tile4x2(k, a[i*k:], wt, acc[i*n+j:], n)
		}
	}
	if n2 < n {
		gemmW4Block(n, k, a, w, acc, 0, m4, n2, n)
	}
	if m4 < m {
		gemmW4Block(n, k, a, w, acc, m4, m, 0, n)
	}
}
