//go:build goexperiment.simd && wasm

package kernels

import (
	"simd/archsimd"
	"sync"
	"unsafe"
)

func init() {
	gemmW4Fast = gemmW4Wasm
	addVariant("gemm_w4", "wasm")
}

// gemmW4Wasm unpacks the 4-bit weights into int8 rows (each 16-byte block
// into two i8x16 vectors with arithmetic shifts: low nibbles weights 0..15,
// high nibbles 16..31) and runs the int8 kernel (gemm_i8_2x2_wasm.s): the
// products are the same integers, and unpacking N*K weights once costs
// little next to the M*N*K products a tile that unpacked in its loop
// repeated M/2 times (measured: the W4A8 step had become the slowest).
// acc[M,N] = A[M,K] x W[K,N], W 4-bit packed as WT[N,KP/2]
func gemmW4Wasm(m, n, k int, a []int8, w []uint8, acc []int32) {
	bp := w4Scratch.Get().(*[]int8)
	if cap(*bp) < n*k {
		*bp = make([]int8, n*k)
	}
	wt := (*bp)[:n*k]
	unpackW4Rows(n, k, w, wt)
	gemmI8Wasm(m, n, k, a, wt, acc)
	w4Scratch.Put(bp)
}

// w4Scratch holds unpacked weight buffers between calls.
var w4Scratch = sync.Pool{New: func() any { return new([]int8) }}

// WT[N,K] int8 = the 4-bit rows of w (KP/2 bytes each)
func unpackW4Rows(n, k int, w []uint8, wt []int8) {
	kp := (k + Q4BlockK - 1) / Q4BlockK * Q4BlockK
	for j := 0; j < n; j++ {
		row, dst := w[j*kp/2:(j+1)*kp/2], wt[j*k:(j+1)*k]
		p := 0
		for ; p+Q4BlockK <= k; p += Q4BlockK {
			lo, hi := unpackQ4(unsafe.Pointer(&row[0]), p/2)
			lo.StoreArray((*[16]int8)(dst[p : p+16]))
			hi.StoreArray((*[16]int8)(dst[p+16 : p+32]))
		}
		for ; p < k; p++ {
			dst[p] = q4At(row, p)
		}
	}
}

func unpackQ4(p unsafe.Pointer, off int) (lo, hi archsimd.Int8x16) {
	v := archsimd.LoadInt8x16Array((*[16]int8)(unsafe.Add(p, off)))
	return v.ShiftAllLeft(4).ShiftAllRight(4), v.ShiftAllRight(4)
}
