//go:build goexperiment.simd && wasm

package kernels

func init() {
	gemmB1I8Prep, gemmB1I8Fast = gemmB1I8PrepWasm, gemmB1I8Wasm
	addVariant("gemm_b1i8", "wasm")
}

// gemmB1I8Classes is how many output channels gemmB1I8Row holds in
// registers; more run the reference.
const gemmB1I8Classes = 12

// gemmB1I8PrepWasm lays out WT[N,K] as [ceil(K/16)][12][16] int8: the 16
// weights of each block of 16 inputs, channel after channel, zeros beyond
// N and K.
func gemmB1I8PrepWasm(n, k int, wt []int8) []int8 {
	if n > gemmB1I8Classes {
		return nil
	}
	k16 := (k + 15) / 16
	p := make([]int8, k16*gemmB1I8Classes*16)
	for j := 0; j < n; j++ {
		for t, w := range wt[j*k : (j+1)*k] {
			p[(t/16*gemmB1I8Classes+j)*16+t%16] = w
		}
	}
	return p
}

// gemmB1I8Wasm runs gemmB1I8Row (gemm_b1i8_wasm.s) a row at a time and
// sums its accumulators' lanes.
// acc[M,N] = S[M,K] x W[K,N]
func gemmB1I8Wasm(m, n, k int, a []uint64, prep []int8, acc []int32) {
	words, k16 := B1Words(k), (k+15)/16
	var lanes [gemmB1I8Classes][4]int32
	for i := 0; i < m; i++ {
		gemmB1I8Row(&a[i*words], k16, &prep[0], &signLanes, &lanes)
		for j := 0; j < n; j++ {
			l := lanes[j]
			acc[i*n+j] = l[0] + l[1] + l[2] + l[3]
		}
	}
}

// gemmB1I8Row is in gemm_b1i8_wasm.s.
//
//go:noescape
func gemmB1I8Row(a *uint64, k16 int, wp *int8, tab *[256][8]int16, acc *[gemmB1I8Classes][4]int32)
