package kernels

// gemmF32Fast is the fastest float32 GEMM built for this target; SIMD
// variants replace it in their init.
var gemmF32Fast = gemmF32Ref

// GemmF32 computes C[M,N] = A[M,K] x B[K,N], or C += A x B when acc is set.
// All matrices are row-major float32. It uses the fastest variant built for
// this machine (AVX2/FMA on amd64, SIMD128 on wasm), single-threaded.
func GemmF32(m, n, k int, a, b, c []float32, acc bool) error {
	return GemmF32T(false, false, m, n, k, a, b, c, acc)
}

// GemmF32T is GemmF32 with optionally transposed operands: with transA, a
// holds A^T as a row-major [K,M] matrix; with transB, b holds B^T as [N,K].
// C[M,N] (+)= op(A)[M,K] x op(B)[K,N]
func GemmF32T(transA, transB bool, m, n, k int, a, b, c []float32, acc bool) error {
	if err := checkGemmF32(m, n, k, a, b, c); err != nil {
		return err
	}
	if !transA && !transB {
		gemmF32Fast(m, n, k, a, b, c, acc)
		return nil
	}
	gemmF32TFast(transA, transB, m, n, k, a, b, c, acc)
	return nil
}

// gemmF32TFast handles transposed operands; amd64 replaces it.
var gemmF32TFast = gemmF32TRef

func checkGemmF32(m, n, k int, a, b, c []float32) error {
	const op = "GemmF32"
	if err := positive(op, m, n, k); err != nil {
		return err
	}
	if err := needLen(op, "A", len(a), m*k); err != nil {
		return err
	}
	if err := needLen(op, "B", len(b), k*n); err != nil {
		return err
	}
	return needLen(op, "C", len(c), m*n)
}
