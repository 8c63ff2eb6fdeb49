package sidial

import (
	"fmt"
	"math"
)

// Classes is the number of digits.
const Classes = 10

// Model is the dialog module for one classifier.
type Model struct {
	LogYes, LogNo [][Classes]float64 // per question: log P(yes|c), log P(no|c)
	// Weights of the classifier's belief and of the answers, log-linear in
	// the hidden fraction h of the image: exp(Alpha[0] + Alpha[1]*h) and
	// exp(Beta[0] + Beta[1]*h), so never negative.
	Alpha, Beta [2]float64
	Bias        [Classes]float64
}

// Posterior fuses the classifier's probabilities on the occluded image,
// of which the fraction hidden is missing, with the answers so far (+1
// yes, -1 no, 0 not asked).
func (m *Model) Posterior(probs []float64, hidden float64, answers []int8) ([]float64, error) {
	if len(probs) != Classes || len(answers) != len(m.LogYes) {
		return nil, fmt.Errorf("sidial: %d probabilities and %d answers, want %d and %d", len(probs), len(answers), Classes, len(m.LogYes))
	}
	if !(hidden >= 0 && hidden <= 1) {
		return nil, fmt.Errorf("sidial: hidden fraction %v outside [0, 1]", hidden)
	}
	z := m.logits(probs, hidden, answers)
	return softmax(z[:]), nil
}

// answerSums are sum_q log P(a_q|c) over the answered questions.
func (m *Model) answerSums(answers []int8) [Classes]float64 {
	var s [Classes]float64
	for q, a := range answers {
		for c := range s {
			switch {
			case a > 0:
				s[c] += m.LogYes[q][c]
			case a < 0:
				s[c] += m.LogNo[q][c]
			}
		}
	}
	return s
}

// weights are alpha(h) and beta(h): positive, so that a fit across the
// levels cannot turn the classifier's belief (or the answers) upside down
// where it extrapolates.
func (m *Model) weights(hidden float64) (float64, float64) {
	return math.Exp(m.Alpha[0] + m.Alpha[1]*hidden), math.Exp(m.Beta[0] + m.Beta[1]*hidden)
}

func (m *Model) logits(probs []float64, hidden float64, answers []int8) [Classes]float64 {
	var z [Classes]float64
	ans := m.answerSums(answers)
	al, be := m.weights(hidden)
	for c := range z {
		z[c] = al*math.Log(math.Max(probs[c], 1e-12)) + be*ans[c] + m.Bias[c]
	}
	return z
}

func softmax(z []float64) []float64 {
	mx := math.Inf(-1)
	for _, v := range z {
		mx = math.Max(mx, v)
	}
	p := make([]float64, len(z))
	var s float64
	for i, v := range z {
		p[i] = math.Exp(v - mx)
		s += p[i]
	}
	for i := range p {
		p[i] /= s
	}
	return p
}

func entropy(p []float64) float64 {
	var h float64
	for _, v := range p {
		if v > 0 {
			h -= v * math.Log(v)
		}
	}
	return h
}

// Next returns the unasked question with the largest expected drop in the
// entropy of the posterior, or -1 when every question has been asked.
func (m *Model) Next(probs []float64, hidden float64, answers []int8) (int, error) {
	post, err := m.Posterior(probs, hidden, answers)
	if err != nil {
		return 0, err
	}
	best, bestGain := -1, math.Inf(-1)
	h := entropy(post)
	trial := append([]int8(nil), answers...)
	for q, a := range answers {
		if a != 0 {
			continue
		}
		var pyes float64
		for c, p := range post {
			pyes += p * math.Exp(m.LogYes[q][c])
		}
		trial[q] = 1
		py, _ := m.Posterior(probs, hidden, trial)
		trial[q] = -1
		pn, _ := m.Posterior(probs, hidden, trial)
		trial[q] = 0
		gain := h - pyes*entropy(py) - (1-pyes)*entropy(pn)
		if gain > bestGain {
			best, bestGain = q, gain
		}
	}
	return best, nil
}
