package kernels

// gemmW4Ref is the scalar reference.
// acc[M,N] = A[M,K] x W[K,N], W 4-bit packed as WT[N,KP/2]
func gemmW4Ref(m, n, k int, a []int8, w []uint8, acc []int32) {
	gemmW4Block(n, k, a, w, acc, 0, m, 0, n)
}

func gemmW4Block(n, k int, a []int8, w []uint8, acc []int32, i0, i1, j0, j1 int) {
	kp := (k + Q4BlockK - 1) / Q4BlockK * Q4BlockK
	for i := i0; i < i1; i++ {
		ar := a[i*k : (i+1)*k]
		for j := j0; j < j1; j++ {
			row := w[j*kp/2 : (j+1)*kp/2]
			var s int32
			for c, v := range ar {
				s += int32(v) * int32(q4At(row, c))
			}
			acc[i*n+j] = s
		}
	}
}
