package nn

import (
	"math"
)

// SoftmaxCE returns the mean cross-entropy of logits [B,K] against labels
// and its gradient.
func SoftmaxCE(logits *T, labels []int) (float64, *T) {
	k := logits.C
	d := NewT(logits.B, k, 1, 1)
	var loss float64
	for b := 0; b < logits.B; b++ {
		row := logits.D[b*k : (b+1)*k]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v - mx))
		}
		for j, v := range row {
			p := math.Exp(float64(v-mx)) / s
			g := p
			if j == labels[b] {
				g--
				loss -= math.Log(max(p, 1e-30))
			}
			d.D[b*k+j] = float32(g / float64(logits.B))
		}
	}
	return loss / float64(logits.B), d
}

// argmax is the index of the largest value (the first on ties).
// Argmax is the index of the largest value (the first of equals).
func Argmax[E float32 | float64](v []E) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}
