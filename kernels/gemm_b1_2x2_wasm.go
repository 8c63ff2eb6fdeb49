//go:build goexperiment.simd && wasm

package kernels

import (
	"math/bits"
	"simd/archsimd"
	"unsafe"
)

func init() {
	gemmB1Fast = gemmB1Wasm
	addVariant("gemm_b1", "wasm")
}

// gemmB1Wasm XORs 128 signs at a time and counts them with i8x16.popcnt
// into byte lanes (at most 8 a step, so up to 31 steps fit a byte) that are
// widened once per chunk; a 2x2 tile shares the loads.
// out[M,N] = K - 2*popcount(A[M,words] XOR WT[N,words])
func gemmB1Wasm(m, n, words int, k int32, a, w []uint64, out []int32) {
	m2, n2 := m&^1, n&^1
	for i := 0; i < m2; i += 2 {
		for j := 0; j < n2; j += 2 {
			gemmB1Tile2x2(words, k, a[i*words:], w[j*words:], out[i*n+j:], n)
		}
	}
	if n2 < n {
		gemmB1Block(n, words, k, a, w, out, 0, m2, n2, n)
	}
	if m2 < m {
		gemmB1Block(n, words, k, a, w, out, m2, m, 0, n)
	}
}

func ldu64x2(p unsafe.Pointer, word int) archsimd.Uint64x2 {
	return archsimd.LoadUint64x2Array((*[2]uint64)(unsafe.Add(p, 8*word)))
}

func popXor(x, y archsimd.Uint64x2) archsimd.Uint8x16 {
	return x.Xor(y).ReshapeToUint8s().OnesCount()
}

// widenSum adds the 16 byte lanes of c into the four lanes of s.
func widenSum(s archsimd.Uint32x4, c archsimd.Uint8x16) archsimd.Uint32x4 {
	h := c.ExtendLo8ToUint16().Add(c.ExtendHi8ToUint16())
	return s.Add(h.ExtendLo4ToUint32()).Add(h.ExtendHi4ToUint32())
}

func hsumU(v archsimd.Uint32x4) int32 {
	return int32(v.GetElem(0) + v.GetElem(1) + v.GetElem(2) + v.GetElem(3))
}

// out[0:2, 0:2] (row stride ldc) for rows A[0:2] and WT[0:2]
func gemmB1Tile2x2(words int, k int32, a, w []uint64, out []int32, ldc int) {
	_, _, _ = a[2*words-1], w[2*words-1], out[ldc+1]
	pa0, pa1 := unsafe.Pointer(&a[0]), unsafe.Pointer(&a[words])
	pw0, pw1 := unsafe.Pointer(&w[0]), unsafe.Pointer(&w[words])
	var t00, t01, t10, t11 archsimd.Uint32x4
	p := 0
	for p+2 <= words {
		end := min(words&^1, p+2*31)
		var c00, c01, c10, c11 archsimd.Uint8x16
		for ; p < end; p += 2 {
			a0, a1, w0, w1 := ldu64x2(pa0, p), ldu64x2(pa1, p), ldu64x2(pw0, p), ldu64x2(pw1, p)
			c00, c01 = c00.Add(popXor(a0, w0)), c01.Add(popXor(a0, w1))
			c10, c11 = c10.Add(popXor(a1, w0)), c11.Add(popXor(a1, w1))
		}
		t00, t01, t10, t11 = widenSum(t00, c00), widenSum(t01, c01), widenSum(t10, c10), widenSum(t11, c11)
	}
	r00, r01, r10, r11 := hsumU(t00), hsumU(t01), hsumU(t10), hsumU(t11)
	if p < words {
		x0, x1, y0, y1 := a[p], a[words+p], w[p], w[words+p]
		r00 += int32(bits.OnesCount64(x0 ^ y0))
		r01 += int32(bits.OnesCount64(x0 ^ y1))
		r10 += int32(bits.OnesCount64(x1 ^ y0))
		r11 += int32(bits.OnesCount64(x1 ^ y1))
	}
	out[0], out[1], out[ldc], out[ldc+1] = k-2*r00, k-2*r01, k-2*r10, k-2*r11
}
