package kernels

// Block sizes of the panel GEMM (gemm_i8_4x8): a panel holds PanelN output
// channels, and K is padded with zero weights to a multiple of PanelK.
const (
	PanelN = 8
	PanelK = 4
)

// I16Panels is an int8 or 4-bit weight matrix WT[N,K] widened to int16 in
// the layout the panel GEMM's 4x8 register tile reads. Panel p holds output
// channels 8p..8p+7 (zero weights past N); for each pair of k (2q, 2q+1)
// it stores 16 values, channel c's pair at 2c and 2c+1, so that one v128
// load gives four channels' pairs, which i32x4.dot_i16x8_s multiplies by a
// broadcast pair of activations into four channel sums: no horizontal sum
// and no widening in the inner loop. K is padded with zero weights to KP.
type I16Panels struct {
	N, K, KP int
	Data     []int16 // Panels() * KP/2 * 16
}

// Panels is the number of PanelN-channel panels.
func (p *I16Panels) Panels() int { return (p.N + PanelN - 1) / PanelN }

// newI16Panels lays out the weights wt (WT[N,K]).
func newI16Panels(n, k int, wt []int8) *I16Panels {
	kp := (k + PanelK - 1) / PanelK * PanelK
	p := &I16Panels{N: n, K: k, KP: kp}
	p.Data = make([]int16, p.Panels()*kp*PanelN)
	for j := 0; j < n; j++ {
		pan, c := j/PanelN, j%PanelN
		base := pan * kp * PanelN
		for q := 0; q < k; q++ {
			p.Data[base+(q/2)*2*PanelN+2*c+q%2] = int16(wt[j*k+q])
		}
	}
	return p
}

// Prepare derives the int16 panels that the panel GEMM reads, where this
// build has one (wasm); elsewhere it does nothing. Call it once after
// loading: the weights must not change afterwards.
func (m *Q8Matrix) Prepare() {
	if panelsOn {
		m.panels = newI16Panels(m.N, m.K, m.Data)
	}
}

// Prepare is Q8Matrix.Prepare for 4-bit weights: they widen to the same
// panels, so W4A8 runs the W8A8 kernel on the same integers.
func (q *Q4Matrix) Prepare() {
	if panelsOn {
		q.panels = newI16Panels(q.N, q.K, q.Unpack())
	}
}

// panelsOn reports whether this build routes prepared products of at least
// panelMinM rows through the panel GEMM.
var panelsOn = false

// panelMinM is the fewest rows for which the panel GEMM pays off (smaller
// products, the M = 1 linear layers, keep the plain kernel).
const panelMinM = 4
