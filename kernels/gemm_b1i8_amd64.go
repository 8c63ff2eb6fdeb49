//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

func init() {
	if archsimd.X86.AVX2() {
		gemmB1I8Prep, gemmB1I8Fast = gemmB1I8PrepAVX2, gemmB1I8AVX2
		addVariant("gemm_b1i8", "amd64")
	}
}

// gemmB1I8PrepAVX2 pads each weight row WT[n] with zeros to whole blocks
// of 16.
func gemmB1I8PrepAVX2(n, k int, wt []int8) []int8 {
	k16 := (k + 15) / 16
	p := make([]int8, n*k16*16)
	for j := 0; j < n; j++ {
		copy(p[j*k16*16:], wt[j*k:(j+1)*k])
	}
	return p
}

// gemmB1I8AVX2 writes a row's signs out as int16 ±1 (signLanes) once, then
// for each output channel multiplies 16 signs by 16 sign-extended weights
// at a time with VPMADDWD into eight int32 lanes.
// acc[M,N] = S[M,K] x W[K,N]
func gemmB1I8AVX2(m, n, k int, a []uint64, prep []int8, acc []int32) {
	words, k16 := B1Words(k), (k+15)/16
	s := make([]int16, k16*16)
	for i := 0; i < m; i++ {
		row := a[i*words : (i+1)*words]
		for b := 0; b < 2*k16; b++ {
			copy(s[b*8:b*8+8], signLanes[uint8(row[b/8]>>(8*(b%8)))][:])
		}
		for j := 0; j < n; j++ {
			wr := prep[j*k16*16 : (j+1)*k16*16]
			var sum archsimd.Int32x8
			for b := 0; b < k16; b++ {
				x := archsimd.LoadInt16x16Array((*[16]int16)(s[b*16 : b*16+16]))
				w := archsimd.LoadInt8x16Array((*[16]int8)(wr[b*16 : b*16+16])).ExtendToInt16()
				sum = sum.Add(x.DotProductPairs(w))
			}
			acc[i*n+j] = hsum8(sum)
		}
	}
}
