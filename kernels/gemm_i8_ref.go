package kernels

// gemmI8Ref is the scalar reference.
// acc[M,N] = A[M,K] x W[K,N], W stored as WT[N,K]
func gemmI8Ref(m, n, k int, a, wt []int8, acc []int32) {
	gemmI8Block(n, k, a, wt, acc, 0, m, 0, n)
}

// gemmI8Block computes acc for rows [i0,i1) and columns [j0,j1).
func gemmI8Block(n, k int, a, wt []int8, acc []int32, i0, i1, j0, j1 int) {
	for i := i0; i < i1; i++ {
		ar := a[i*k : (i+1)*k]
		for j := j0; j < j1; j++ {
			wr := wt[j*k : (j+1)*k]
			acc[i*n+j] = dotI8(ar, wr)
		}
	}
}

func dotI8(a, w []int8) int32 {
	var s int32
	for p, v := range a {
		s += int32(v) * int32(w[p])
	}
	return s
}
