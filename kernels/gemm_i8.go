package kernels

// gemmI8Fast accumulates int8 products; SIMD variants replace it.
var gemmI8Fast = gemmI8Ref

// GemmI8 computes the 8-bit product C[M,N] = A[M,K] x W[K,N] with A int8
// activations (zero point e.AZero) and w int8 weights, accumulating in
// int32, then applies the epilogue into outF (float32) or outQ (int8);
// exactly one of them is given. acc is scratch of at least M*N int32s, or
// nil to allocate.
func GemmI8(m int, a []int8, w *Q8Matrix, e *Epilogue, acc []int32, outF []float32, outQ []int8) error {
	if w == nil {
		return shapeErr("GemmI8", "nil weights")
	}
	acc, err := checkQGemm("GemmI8", m, w.N, w.K, a, e, acc, outF, outQ)
	if err != nil {
		return err
	}
	if w.panels != nil && m >= panelMinM {
		gemmPanels(m, a, w.panels, e, w.Scale, w.ColSum, acc, outF, outQ)
		return nil
	}
	gemmI8Fast(m, w.N, w.K, a, w.Data, acc)
	e.apply(m, w.N, acc, w.Scale, w.ColSum, outF, outQ)
	return nil
}

// GemmI8Acc is the raw int32 product acc[M,N] = A[M,K] x W[K,N] with W in
// the packed layout WT[N,K] (no zero point or epilogue).
func GemmI8Acc(m, n, k int, a, wt []int8, acc []int32) error {
	const op = "GemmI8Acc"
	if err := positive(op, m, n, k); err != nil {
		return err
	}
	if err := needLen(op, "A", len(a), m*k); err != nil {
		return err
	}
	if err := needLen(op, "WT", len(wt), n*k); err != nil {
		return err
	}
	if err := needLen(op, "acc", len(acc), m*n); err != nil {
		return err
	}
	gemmI8Fast(m, n, k, a, wt, acc)
	return nil
}

// checkQGemm checks an 8-bit product's operands and returns its int32
// scratch (acc, or a new slice).
func checkQGemm(op string, m, n, k int, a []int8, e *Epilogue, acc []int32, outF []float32, outQ []int8) ([]int32, error) {
	if err := positive(op, m, n, k); err != nil {
		return nil, err
	}
	if err := needLen(op, "A", len(a), m*k); err != nil {
		return nil, err
	}
	return checkQOut(op, m, n, e, acc, outF, outQ)
}

// checkQOut checks an 8-bit product's epilogue and outputs for M x N and
// returns its int32 scratch (acc, or a new slice).
func checkQOut(op string, m, n int, e *Epilogue, acc []int32, outF []float32, outQ []int8) ([]int32, error) {
	if err := e.check(op, m, n, outF, outQ); err != nil {
		return nil, err
	}
	if acc == nil {
		return make([]int32, m*n), nil
	}
	return acc, needLen(op, "acc", len(acc), m*n)
}
