package kernels

// GemmB1I8Plan is a product of ±1 activations, packed as sign bits, with
// int8 weights (a binary network's last layer), its weights prepared once
// for the SIMD variant. Read-only while it runs.
type GemmB1I8Plan struct {
	w    *Q8Matrix
	prep []int8 // the SIMD variant's layout of w, nil when none applies
}

// gemmB1I8Prep, set by a SIMD variant, lays out weights WT[N,K] for
// gemmB1I8Fast, or returns nil for shapes it does not take.
var gemmB1I8Prep func(n, k int, wt []int8) []int8

// gemmB1I8Fast, set with gemmB1I8Prep, computes the raw product from the
// prepared weights.
var gemmB1I8Fast func(m, n, k int, a []uint64, prep []int8, acc []int32)

// NewGemmB1I8Plan prepares w for Run.
func NewGemmB1I8Plan(w *Q8Matrix) (*GemmB1I8Plan, error) {
	if w == nil || w.N < 1 || w.K < 1 || len(w.Data) != w.N*w.K || len(w.Scale) != w.N || len(w.ColSum) != w.N {
		return nil, shapeErr("GemmB1I8", "incomplete weights")
	}
	p := &GemmB1I8Plan{w: w}
	if gemmB1I8Prep != nil {
		p.prep = gemmB1I8Prep(w.N, w.K, w.Data)
	}
	return p, nil
}

// Run computes outF[M,N] from the sign rows a [M, B1Words(K)] (bit set: -1,
// clear: +1, bits beyond K clear) through the epilogue e:
//
//	acc[m,n] = sum over k of s[m,k] * W[k,n]   (int32, exact)
//
// exactly as GemmI8 does on the same ±1 values as int8.
func (p *GemmB1I8Plan) Run(m int, a []uint64, e *Epilogue, outF []float32) error {
	const op = "GemmB1I8"
	n, k := p.w.N, p.w.K
	if err := positive(op, m, n, k); err != nil {
		return err
	}
	if err := needLen(op, "A", len(a), m*B1Words(k)); err != nil {
		return err
	}
	if err := e.check(op, m, n, outF, nil); err != nil {
		return err
	}
	acc := make([]int32, m*n)
	p.product(m, a, acc)
	e.apply(m, n, acc, p.w.Scale, p.w.ColSum, outF, nil)
	return nil
}

// product writes the raw product acc[M,N] through the SIMD variant when
// the plan has its layout, else the reference.
func (p *GemmB1I8Plan) product(m int, a []uint64, acc []int32) {
	if p.prep != nil {
		gemmB1I8Fast(m, p.w.N, p.w.K, a, p.prep, acc)
	} else {
		gemmB1I8Ref(m, p.w.N, p.w.K, a, p.w.Data, acc)
	}
}

// acc[M,N] = S[M,K] x W[K,N], S the ±1 signs of a, W stored as WT[N,K]
func gemmB1I8Ref(m, n, k int, a []uint64, wt []int8, acc []int32) {
	words := B1Words(k)
	for i := 0; i < m; i++ {
		row := a[i*words : (i+1)*words]
		for j := 0; j < n; j++ {
			var s int32
			for t, w := range wt[j*k : (j+1)*k] {
				if row[t/B1WordBits]>>(t%B1WordBits)&1 == 1 {
					s -= int32(w)
				} else {
					s += int32(w)
				}
			}
			acc[i*n+j] = s
		}
	}
}

// signLanes[b] holds the eight signs of byte b as int16 lanes (+1 for a
// clear bit, -1 for a set one), for the SIMD variants.
var signLanes = func() (t [256][8]int16) {
	for b := range 256 {
		for i := range 8 {
			t[b][i] = 1 - 2*int16(b>>i&1)
		}
	}
	return t
}()
