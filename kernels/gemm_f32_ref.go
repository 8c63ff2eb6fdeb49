package kernels

// gemmF32Ref is the scalar reference.
// C[M,N] (+)= A[M,K] x B[K,N]
func gemmF32Ref(m, n, k int, a, b, c []float32, acc bool) {
	if !acc {
		clear(c[:m*n])
	}
	for i := 0; i < m; i++ {
		ci := c[i*n : i*n+n]
		for p := 0; p < k; p++ {
			av := a[i*k+p]
			bp := b[p*n : p*n+n]
			for j := range ci {
				ci[j] += av * bp[j]
			}
		}
	}
}

// gemmF32TRef is the scalar reference with transposed operands.
// C[M,N] (+)= op(A)[M,K] x op(B)[K,N]
func gemmF32TRef(transA, transB bool, m, n, k int, a, b, c []float32, acc bool) {
	if !acc {
		clear(c[:m*n])
	}
	for i := 0; i < m; i++ {
		for p := 0; p < k; p++ {
			av := a[i*k+p]
			if transA {
				av = a[p*m+i]
			}
			for j := 0; j < n; j++ {
				bv := b[p*n+j]
				if transB {
					bv = b[j*k+p]
				}
				c[i*n+j] += av * bv
			}
		}
	}
}

// gemmF32Block is the scalar loop for the rows [i0,i1) and columns [j0,j1)
// over k in [k0,k1) that SIMD variants leave at their edges.
// C[i0:i1, j0:j1] += A[i0:i1, k0:k1] x B[k0:k1, j0:j1]
func gemmF32Block(n, k int, a, b, c []float32, i0, i1, j0, j1, k0, k1 int) {
	for i := i0; i < i1; i++ {
		for p := k0; p < k1; p++ {
			av := a[i*k+p]
			bp := b[p*n:]
			ci := c[i*n:]
			for j := j0; j < j1; j++ {
				ci[j] += av * bp[j]
			}
		}
	}
}
