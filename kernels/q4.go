package kernels

import "fmt"

// Q4 block constants: weights are packed Q4BlockK at a time into
// Q4BlockBytes bytes (see the package doc for the nibble order).
const (
	Q4BlockK     = 32
	Q4BlockBytes = Q4BlockK / 2
	Q4Max        = 7 // 4-bit weights are symmetric in [-7, 7]
)

// Q4Matrix is a 4-bit weight matrix W[K,N] in the packed layout WT[N,KP]
// with KP = K rounded up to Q4BlockK, two weights a byte.
type Q4Matrix struct {
	N, K   int
	Data   []uint8    // N * KP/2
	Scale  []float32  // per output channel
	ColSum []int32    // per output channel: sum of its weights
	panels *I16Panels // set by Prepare where the panel GEMM is built
}

// KP is K padded to whole blocks.
func (q *Q4Matrix) KP() int { return (q.K + Q4BlockK - 1) / Q4BlockK * Q4BlockK }

// PackQ4 packs int8 weights WT[N,K] in [-7,7] into a Q4Matrix.
func PackQ4(n, k int, wt []int8, scale []float32) (*Q4Matrix, error) {
	const op = "PackQ4"
	if err := positive(op, n, k); err != nil {
		return nil, err
	}
	if len(wt) != n*k || len(scale) != n {
		return nil, shapeErr(op, "%d weights and %d scales for %dx%d", len(wt), len(scale), n, k)
	}
	q := &Q4Matrix{N: n, K: k, Scale: scale, ColSum: make([]int32, n)}
	kp := q.KP()
	q.Data = make([]uint8, n*kp/2)
	for r := 0; r < n; r++ {
		row := q.Data[r*kp/2 : (r+1)*kp/2]
		for c := 0; c < k; c++ {
			v := wt[r*k+c]
			if v < -Q4Max || v > Q4Max {
				return nil, fmt.Errorf("kernels: %s: weight %d at [%d,%d] outside [-7, 7]", op, v, r, c)
			}
			q.ColSum[r] += int32(v)
			b, i := c/Q4BlockK, c%Q4BlockK
			nib := uint8(v) & 0xF
			if i < Q4BlockBytes {
				row[b*Q4BlockBytes+i] |= nib
			} else {
				row[b*Q4BlockBytes+i-Q4BlockBytes] |= nib << 4
			}
		}
	}
	return q, nil
}

// Unpack returns the weights as int8 WT[N,K].
func (q *Q4Matrix) Unpack() []int8 {
	kp := q.KP()
	out := make([]int8, q.N*q.K)
	for r := 0; r < q.N; r++ {
		for c := 0; c < q.K; c++ {
			out[r*q.K+c] = q4At(q.Data[r*kp/2:], c)
		}
	}
	return out
}

// q4At decodes weight c of a packed row.
func q4At(row []uint8, c int) int8 {
	b, i := c/Q4BlockK, c%Q4BlockK
	if i < Q4BlockBytes {
		return int8(row[b*Q4BlockBytes+i]<<4) >> 4
	}
	return int8(row[b*Q4BlockBytes+i-Q4BlockBytes]) >> 4
}

// gemmW4Fast accumulates 4-bit-weight products; SIMD variants replace it.
var gemmW4Fast = gemmW4Ref

// GemmW4 is GemmI8 with 4-bit weights (W4A8), unpacked inside the kernel.
func GemmW4(m int, a []int8, w *Q4Matrix, e *Epilogue, acc []int32, outF []float32, outQ []int8) error {
	const op = "GemmW4"
	if w == nil {
		return shapeErr(op, "nil weights")
	}
	acc, err := checkQGemm(op, m, w.N, w.K, a, e, acc, outF, outQ)
	if err != nil {
		return err
	}
	if err := needLen(op, "W", len(w.Data), w.N*w.KP()/2); err != nil {
		return err
	}
	if w.panels != nil && m >= panelMinM {
		gemmPanels(m, a, w.panels, e, w.Scale, w.ColSum, acc, outF, outQ)
		return nil
	}
	gemmW4Fast(m, w.N, w.K, a, w.Data, acc)
	e.apply(m, w.N, acc, w.Scale, w.ColSum, outF, outQ)
	return nil
}
