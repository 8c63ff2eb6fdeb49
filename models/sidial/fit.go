package sidial

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Sample is one training digit: the classifier's probabilities on its
// occluded version, its label and the oracle's answers on the full image.
type Sample struct {
	Probs   []float64
	Hidden  float64 // fraction of the image hidden
	Label   int
	Answers []int8
}

// Fit counts P(answer|class) on the samples (Laplace smoothing) and fits
// Alpha, Beta and Bias by gradient descent on the cross-entropy of the
// posterior with random subsets of 0..maxAsked answers revealed.
func Fit(samples []Sample, maxAsked int, seed uint64) (*Model, error) {
	nq := len(Questions)
	if len(samples) == 0 {
		return nil, fmt.Errorf("sidial: no samples")
	}
	yes := make([][Classes]float64, nq)
	var count [Classes]float64
	for _, s := range samples {
		if s.Label < 0 || s.Label >= Classes || len(s.Answers) != nq || len(s.Probs) != Classes {
			return nil, fmt.Errorf("sidial: bad sample (label %d, %d answers, %d probabilities)", s.Label, len(s.Answers), len(s.Probs))
		}
		count[s.Label]++
		for q, a := range s.Answers {
			if a > 0 {
				yes[q][s.Label]++
			}
		}
	}
	m := &Model{LogYes: make([][Classes]float64, nq), LogNo: make([][Classes]float64, nq)}
	for q := range yes {
		for c := 0; c < Classes; c++ {
			p := (yes[q][c] + 1) / (count[c] + 2)
			m.LogYes[q][c], m.LogNo[q][c] = math.Log(p), math.Log(1-p)
		}
	}
	// revealed answer subsets, fixed for the whole fit
	r := rand.New(rand.NewPCG(seed, 0xd1a1))
	shown := make([][]int8, len(samples))
	for i, s := range samples {
		a := make([]int8, nq)
		for _, q := range r.Perm(nq)[:r.IntN(maxAsked+1)] {
			a[q] = s.Answers[q]
		}
		shown[i] = a
	}
	// full-batch gradient descent with momentum on 14 parameters
	const steps, lr, mom = 400, 0.1, 0.9
	var vel [4 + Classes]float64
	sums := make([][Classes]float64, len(samples))
	for i := range samples {
		sums[i] = m.answerSums(shown[i])
	}
	for range steps {
		var g [4 + Classes]float64
		for i, s := range samples {
			z := m.logits(s.Probs, s.Hidden, shown[i])
			p := softmax(z[:])
			al, be := m.weights(s.Hidden)
			for c := range p {
				d := p[c]
				if c == s.Label {
					d--
				}
				lp := al * math.Log(math.Max(s.Probs[c], 1e-12)) // d alpha / d Alpha[0] = alpha
				g[0] += d * lp
				g[1] += d * lp * s.Hidden
				g[2] += d * be * sums[i][c]
				g[3] += d * be * sums[i][c] * s.Hidden
				g[4+c] += d
			}
		}
		n := float64(len(samples))
		for k := range vel {
			vel[k] = mom*vel[k] - lr*g[k]/n
		}
		m.Alpha[0] += vel[0]
		m.Alpha[1] += vel[1]
		m.Beta[0] += vel[2]
		m.Beta[1] += vel[3]
		for c := range m.Bias {
			m.Bias[c] += vel[4+c]
		}
	}
	return m, nil
}
