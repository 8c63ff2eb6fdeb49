package kernels

// B1WordBits is the number of signs packed in one word of a binary tensor.
const B1WordBits = 64

// B1Words is the number of words that hold k signs.
func B1Words(k int) int { return (k + B1WordBits - 1) / B1WordBits }

// B1Matrix is a binary (sign) weight matrix W[K,N] in the packed layout
// WT[N,Words]: row n holds the signs of output channel n, bit set = -1.
// K is the number of real signs a row holds; Words may exceed B1Words(K)
// when rows are laid out in groups (a conv's KH*KW pixels of Cin channels).
type B1Matrix struct {
	N, K, Words int
	Data        []uint64 // N*Words
}

// PackB1 packs signs: v[i] < 0 sets the bit (-1), v[i] >= 0 clears it (+1).
// dst must hold B1Words(len(v)) words.
func PackB1(v []float32, dst []uint64) {
	clear(dst[:B1Words(len(v))])
	for i, x := range v {
		if x < 0 {
			dst[i/B1WordBits] |= 1 << (i % B1WordBits)
		}
	}
}

// B1Sign reads sign i (+1 or -1) of packed words.
func B1Sign(words []uint64, i int) int32 {
	if words[i/B1WordBits]>>(i%B1WordBits)&1 != 0 {
		return -1
	}
	return 1
}

// gemmB1Fast computes raw XNOR-popcount products; SIMD variants replace it.
var gemmB1Fast = gemmB1Ref

// GemmB1 computes the binary product out[M,N] = K - 2*popcount(A[m] XOR W[n])
// for packed sign rows A[M, w.Words] (bits beyond K clear in both operands).
func GemmB1(m int, a []uint64, w *B1Matrix, out []int32) error {
	const op = "GemmB1"
	if err := checkB1(op, m, a, w); err != nil {
		return err
	}
	if err := needLen(op, "out", len(out), m*w.N); err != nil {
		return err
	}
	gemmB1Fast(m, w.N, w.Words, int32(w.K), a, w.Data, out)
	return nil
}

func checkB1(op string, m int, a []uint64, w *B1Matrix) error {
	if w == nil {
		return shapeErr(op, "nil weights")
	}
	if err := positive(op, m, w.N, w.K, w.Words); err != nil {
		return err
	}
	if w.Words*B1WordBits < w.K {
		return shapeErr(op, "%d words cannot hold K=%d signs", w.Words, w.K)
	}
	if err := needLen(op, "W", len(w.Data), w.N*w.Words); err != nil {
		return err
	}
	return needLen(op, "A", len(a), m*w.Words)
}

// Threshold is batch norm + sign folded per output channel: the output sign
// is +1 when dot >= Thr[n] (dot <= Thr[n] when Flip[n]), else -1.
type Threshold struct {
	Thr  []int32
	Flip []bool
}

// Sign applies the threshold of channel n to dot.
func (t *Threshold) Sign(n int, dot int32) bool {
	if t.Flip[n] {
		return dot <= t.Thr[n]
	}
	return dot >= t.Thr[n]
}

// GemmB1Sign is GemmB1 followed by per-channel thresholds, producing packed
// signs out[M, B1Words(N)] to feed the next binary layer. acc is scratch of
// M*N int32s, or nil.
func GemmB1Sign(m int, a []uint64, w *B1Matrix, th *Threshold, acc []int32, out []uint64) error {
	const op = "GemmB1Sign"
	if err := checkB1(op, m, a, w); err != nil {
		return err
	}
	if th == nil || len(th.Thr) != w.N || len(th.Flip) != w.N {
		return shapeErr(op, "threshold must have %d channels", w.N)
	}
	ow := B1Words(w.N)
	if err := needLen(op, "out", len(out), m*ow); err != nil {
		return err
	}
	if acc == nil {
		acc = make([]int32, m*w.N)
	} else if err := needLen(op, "acc", len(acc), m*w.N); err != nil {
		return err
	}
	gemmB1Fast(m, w.N, w.Words, int32(w.K), a, w.Data, acc)
	th.pack(m, w.N, acc, out)
	return nil
}

// linear returns the thresholds as "-1 when sg*dot < tt": dot < Thr, or
// dot > Thr (-dot < -Thr) when flipped.
func (t *Threshold) linear() (sg, tt []int64) {
	sg, tt = make([]int64, len(t.Thr)), make([]int64, len(t.Thr))
	for j := range sg {
		sg[j], tt[j] = 1, int64(t.Thr[j])
		if t.Flip[j] {
			sg[j], tt[j] = -1, -int64(t.Thr[j])
		}
	}
	return sg, tt
}

func (t *Threshold) pack(m, n int, acc []int32, out []uint64) {
	ow := B1Words(n)
	sg, tt := t.linear()
	for i := 0; i < m; i++ {
		row, a := out[i*ow:(i+1)*ow], acc[i*n:(i+1)*n]
		for w := range row {
			var word uint64
			j0 := w * B1WordBits
			for j := j0; j < min(n, j0+B1WordBits); j++ {
				word |= uint64(sg[j]*int64(a[j])-tt[j]) >> 63 << (j - j0)
			}
			row[w] = word
		}
	}
}
