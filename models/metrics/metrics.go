package metrics

import (
	"fmt"
	"math"
)

// FeatureStats are the mean and covariance of a set of feature vectors.
type FeatureStats struct {
	N    int
	Mean []float64
	Cov  []float64 // d x d, row-major
}

// Stats computes mean and (unbiased) covariance of feats [n, d].
func Stats(feats [][]float64) (*FeatureStats, error) {
	n := len(feats)
	if n < 2 {
		return nil, fmt.Errorf("stats: need at least 2 vectors, have %d", n)
	}
	d := len(feats[0])
	s := &FeatureStats{N: n, Mean: make([]float64, d), Cov: make([]float64, d*d)}
	for _, f := range feats {
		for i, v := range f {
			s.Mean[i] += v / float64(n)
		}
	}
	for _, f := range feats {
		for i := 0; i < d; i++ {
			di := f[i] - s.Mean[i]
			row := s.Cov[i*d : (i+1)*d]
			for j := i; j < d; j++ {
				row[j] += di * (f[j] - s.Mean[j])
			}
		}
	}
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			v := s.Cov[i*d+j] / float64(n-1)
			s.Cov[i*d+j], s.Cov[j*d+i] = v, v
		}
	}
	return s, nil
}

// FrechetDistance is |mu1-mu2|^2 + Tr(C1 + C2 - 2 (C1^1/2 C2 C1^1/2)^1/2),
// the Fréchet distance between Gaussians fitted to two feature sets. Over
// the FP classifier's penultimate features it is qdiff's "FD-MNIST" (not
// FID: no Inception network is involved).
func FrechetDistance(a, b *FeatureStats) (float64, error) {
	d := len(a.Mean)
	if len(b.Mean) != d {
		return 0, fmt.Errorf("frechet: dimensions %d and %d", d, len(b.Mean))
	}
	var diff float64
	for i := range a.Mean {
		x := a.Mean[i] - b.Mean[i]
		diff += x * x
	}
	s1 := symSqrt(a.Cov, d)
	m := matMul(matMul(s1, b.Cov, d), s1, d)
	root := symSqrt(m, d)
	var tr float64
	for i := 0; i < d; i++ {
		tr += a.Cov[i*d+i] + b.Cov[i*d+i] - 2*root[i*d+i]
	}
	return diff + tr, nil
}

func matMul(a, b []float64, d int) []float64 {
	c := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for k := 0; k < d; k++ {
			av := a[i*d+k]
			for j := 0; j < d; j++ {
				c[i*d+j] += av * b[k*d+j]
			}
		}
	}
	return c
}

// symSqrt is the square root of a symmetric positive semi-definite matrix
// by Jacobi eigen-decomposition (negative eigenvalues from rounding are 0).
func symSqrt(m []float64, d int) []float64 {
	vals, vecs := jacobiEigen(m, d)
	out := make([]float64, d*d)
	for k := 0; k < d; k++ {
		s := math.Sqrt(math.Max(vals[k], 0))
		for i := 0; i < d; i++ {
			vi := vecs[i*d+k] * s
			for j := 0; j < d; j++ {
				out[i*d+j] += vi * vecs[j*d+k]
			}
		}
	}
	return out
}

// jacobiEigen returns eigenvalues and eigenvectors (columns) of symmetric m.
func jacobiEigen(m []float64, d int) ([]float64, []float64) {
	a := append([]float64(nil), m...)
	v := make([]float64, d*d)
	for i := 0; i < d; i++ {
		v[i*d+i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		var off float64
		for i := 0; i < d; i++ {
			for j := i + 1; j < d; j++ {
				off += a[i*d+j] * a[i*d+j]
			}
		}
		if off < 1e-22 {
			break
		}
		for p := 0; p < d; p++ {
			for q := p + 1; q < d; q++ {
				apq := a[p*d+q]
				if math.Abs(apq) < 1e-300 {
					continue
				}
				theta := (a[q*d+q] - a[p*d+p]) / (2 * apq)
				t := math.Copysign(1, theta) / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := 0; k < d; k++ {
					akp, akq := a[k*d+p], a[k*d+q]
					a[k*d+p], a[k*d+q] = c*akp-s*akq, s*akp+c*akq
				}
				for k := 0; k < d; k++ {
					apk, aqk := a[p*d+k], a[q*d+k]
					a[p*d+k], a[q*d+k] = c*apk-s*aqk, s*apk+c*aqk
				}
				for k := 0; k < d; k++ {
					vkp, vkq := v[k*d+p], v[k*d+q]
					v[k*d+p], v[k*d+q] = c*vkp-s*vkq, s*vkp+c*vkq
				}
			}
		}
	}
	vals := make([]float64, d)
	for i := range vals {
		vals[i] = a[i*d+i]
	}
	return vals, v
}

// InceptionScoreAnalogue is exp(E_x KL(p(y|x) || p(y))) over class
// probabilities probs [n, K] from the FP classifier (range 1..K).
func InceptionScoreAnalogue(probs [][]float64) float64 {
	if len(probs) == 0 {
		return 0
	}
	k := len(probs[0])
	py := make([]float64, k)
	for _, p := range probs {
		for j, v := range p {
			py[j] += v / float64(len(probs))
		}
	}
	var kl float64
	for _, p := range probs {
		for j, v := range p {
			if v > 0 {
				kl += v * math.Log(v/py[j])
			}
		}
	}
	return math.Exp(kl / float64(len(probs)))
}
