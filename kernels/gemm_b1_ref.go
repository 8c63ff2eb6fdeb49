package kernels

import "math/bits"

// gemmB1Ref is the scalar reference (Go's popcount is one instruction on
// amd64 and wasm).
// out[M,N] = K - 2*popcount(A[M,words] XOR WT[N,words])
func gemmB1Ref(m, n, words int, k int32, a, w []uint64, out []int32) {
	gemmB1Block(n, words, k, a, w, out, 0, m, 0, n)
}

func gemmB1Block(n, words int, k int32, a, w []uint64, out []int32, i0, i1, j0, j1 int) {
	for i := i0; i < i1; i++ {
		ar := a[i*words : (i+1)*words]
		for j := j0; j < j1; j++ {
			wr := w[j*words : (j+1)*words]
			pc := 0
			for p, x := range ar {
				pc += bits.OnesCount64(x ^ wr[p])
			}
			out[i*n+j] = k - 2*int32(pc)
		}
	}
}
