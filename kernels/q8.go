package kernels

import "fmt"

// Q8Max is the largest int8 weight magnitude; -128 is never used so that
// weights are symmetric.
const Q8Max = 127

// Q8Matrix is an int8 weight matrix W[K,N] stored in the packed layout
// WT[N,K]: row n holds the K weights of output channel n.
type Q8Matrix struct {
	N, K   int
	Data   []int8     // N*K, each in [-Q8Max, Q8Max]
	Scale  []float32  // per output channel: real weight = Data * Scale[n]
	ColSum []int32    // per output channel: sum over k of Data[n,k]
	panels *I16Panels // set by Prepare where the panel GEMM is built
}

// NewQ8Matrix checks data and scale against n x k and precomputes ColSum.
func NewQ8Matrix(n, k int, data []int8, scale []float32) (*Q8Matrix, error) {
	const op = "NewQ8Matrix"
	if err := positive(op, n, k); err != nil {
		return nil, err
	}
	if len(data) != n*k || len(scale) != n {
		return nil, shapeErr(op, "%d weights and %d scales for %dx%d", len(data), len(scale), n, k)
	}
	m := &Q8Matrix{N: n, K: k, Data: data, Scale: scale, ColSum: make([]int32, n)}
	for r := 0; r < n; r++ {
		var s int32
		for _, v := range data[r*k : (r+1)*k] {
			if v < -Q8Max {
				return nil, fmt.Errorf("kernels: %s: weight -128 in row %d (range is [-127, 127])", op, r)
			}
			s += int32(v)
		}
		m.ColSum[r] = s
	}
	return m, nil
}

// Epilogue turns int32 accumulators of an 8-bit product into outputs:
//
//	y[m,n] = float32(acc - AZero*ColSum[n]) * (AScale*Scale[n]) + Bias[n]
//
// and, for 8-bit outputs, q = clamp(RoundToEven(y/OutScale) + OutZero).
type Epilogue struct {
	AScale   float32   // activation scale
	AZero    int32     // activation zero point (0: symmetric)
	Bias     []float32 // per output channel, or nil
	OutScale float32   // 8-bit output scale
	OutZero  int32     // 8-bit output zero point
}

// epilogue applies e to acc [m, n] into outF (float32) or outQ (int8).
func (e *Epilogue) apply(m, n int, acc []int32, scale []float32, colSum []int32, outF []float32, outQ []int8) {
	sc := make([]float32, n)
	for j := range sc {
		sc[j] = float32(e.AScale * scale[j])
	}
	if outQ == nil && e.Bias != nil && n%4 == 0 {
		epilogueF32Fast(m, n, acc, e.AZero, colSum, sc, e.Bias, outF)
		return
	}
	var inv float32
	if outQ != nil {
		inv = 1 / e.OutScale
	}
	for i := 0; i < m; i++ {
		row := acc[i*n : (i+1)*n]
		for j, a := range row {
			y := float32(float32(a-e.AZero*colSum[j]) * sc[j])
			if e.Bias != nil {
				y = float32(y + e.Bias[j])
			}
			if outQ != nil {
				outQ[i*n+j] = QuantizeOne(y, inv, e.OutZero)
			} else {
				outF[i*n+j] = y
			}
		}
	}
}

func (e *Epilogue) check(op string, m, n int, outF []float32, outQ []int8) error {
	if (outF == nil) == (outQ == nil) {
		return shapeErr(op, "exactly one of the float32 and int8 outputs must be given")
	}
	if e.Bias != nil && len(e.Bias) != n {
		return shapeErr(op, "bias has %d values for %d outputs", len(e.Bias), n)
	}
	if outQ != nil && !(e.OutScale > 0) {
		return shapeErr(op, "8-bit output needs OutScale > 0, got %v", e.OutScale)
	}
	if outF != nil {
		return needLen(op, "output", len(outF), m*n)
	}
	return needLen(op, "output", len(outQ), m*n)
}

// epilogueF32Ref is the float-output epilogue with a bias:
// y[i,j] = float32(acc[i,j] - zero*colSum[j]) * sc[j] + bias[j]
func epilogueF32Ref(m, n int, acc []int32, zero int32, colSum []int32, sc, bias, out []float32) {
	for i := 0; i < m; i++ {
		row, o := acc[i*n:(i+1)*n], out[i*n:(i+1)*n]
		for j, a := range row {
			o[j] = float32(float32(a-zero*colSum[j])*sc[j]) + bias[j]
		}
	}
}

// epilogueF32Fast is the float-output epilogue; SIMD variants replace it
// (n is a multiple of 4 when it is called).
var epilogueF32Fast = epilogueF32Ref
