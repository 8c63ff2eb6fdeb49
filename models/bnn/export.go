package bnn

import (
	"math"

	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"

	"github.com/qdiff/qdiff/kernels"
	"github.com/qdiff/qdiff/models/bnet"
)

// bnSign returns the float function of an eval-mode batch norm channel,
// computed with exactly the operations of BatchNorm.Forward.
func bnSign(b *BatchNorm, c int) func(v float32) bool {
	mu := b.RunMean[c]
	is := float32(1 / math.Sqrt(float64(b.RunVar[c])+float64(b.Eps)))
	g, be := b.Gamma.W[c], b.Beta.W[c]
	return func(v float32) bool { return (v-mu)*is*g+be >= 0 }
}

// intThreshold folds an eval-mode batch norm channel followed by sign into
// an integer threshold over dot products in [-k, k], exactly: it searches
// the integer where the (monotone) float function changes sign.
func intThreshold(b *BatchNorm, c, k int) (int32, bool) {
	pos := bnSign(b, c)
	g := b.Gamma.W[c]
	if g >= 0 { // non-decreasing: smallest d with pos(d)
		lo, hi := -k, k+1
		for lo < hi {
			m := (lo + hi) >> 1
			if pos(float32(m)) {
				hi = m
			} else {
				lo = m + 1
			}
		}
		return int32(lo), false
	}
	lo, hi := -k-1, k // non-increasing: largest d with pos(d)
	for lo < hi {
		m := (lo + hi + 1) >> 1
		if pos(float32(m)) {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return int32(lo), true
}

// quantRows quantizes rows [n][k] symmetrically per row to int8 (max-abs scale).
func quantRows(n, k int, at func(r, c int) float32) (*kernels.Q8Matrix, error) {
	data, scale := symRows(n, k, 127, []float64{1}, at)
	return kernels.NewQ8Matrix(n, k, data, scale)
}

// quantRows4 quantizes rows [n][k] symmetrically per row to 4 bits, the
// clip range of each row chosen by least squared error (4 bits are few).
func quantRows4(n, k int, at func(r, c int) float32) (*kernels.Q4Matrix, error) {
	var clips []float64
	for a := 0.2; a <= 1.0001; a += 0.025 {
		clips = append(clips, a)
	}
	data, scale := symRows(n, k, kernels.Q4Max, clips, at)
	return kernels.PackQ4(n, k, data, scale)
}

// symRows quantizes each row to [-qmax, qmax] with scale clip*maxabs/qmax,
// the clip ratio taken from clips by least squared error.
func symRows(n, k int, qmax float64, clips []float64, at func(r, c int) float32) ([]int8, []float32) {
	data := make([]int8, n*k)
	scale := make([]float32, n)
	q := func(v, s float64) float64 { return math.Max(-qmax, math.Min(qmax, math.RoundToEven(v/s))) }
	for r := 0; r < n; r++ {
		var mx float64
		for c := 0; c < k; c++ {
			mx = math.Max(mx, math.Abs(float64(at(r, c))))
		}
		best, bestErr := math.Max(mx, 1e-12)/qmax, math.Inf(1)
		for _, a := range clips {
			s := math.Max(a*mx, 1e-12) / qmax
			var e float64
			for c := 0; c < k; c++ {
				v := float64(at(r, c))
				d := v - s*q(v, s)
				e += d * d
			}
			if e < bestErr {
				best, bestErr = s, e
			}
		}
		scale[r] = float32(best)
		for c := 0; c < k; c++ {
			data[r*k+c] = int8(q(float64(at(r, c)), best))
		}
	}
	return data, scale
}

// Export converts the (trained, eval-mode) network to the kernels.
func (n *BinaryNet) Export() (*bnet.Net, error) {
	bk := &bnet.Net{Bias1: append([]float32(nil), n.C1.B.W...)}
	var err error
	// conv1 weights [32,1,3,3]: K order (kh, kw, cin) with cin = 1 is the same
	if bk.W1, err = quantRows(32, 9, func(r, c int) float32 { return n.C1.Wt.W[r*9+c] }); err != nil {
		return nil, err
	}
	bk.Thr1, bk.Flip1 = make([]float32, 32), make([]bool, 32)
	for c := 0; c < 32; c++ {
		mu := n.N1.RunMean[c]
		is := float32(1 / math.Sqrt(float64(n.N1.RunVar[c])+float64(n.N1.Eps)))
		g, be := n.N1.Gamma.W[c], n.N1.Beta.W[c]
		// (y-mu)*is*g+be >= 0; the kernel path compares y directly
		bk.Thr1[c] = mu - be/(is*g)
		bk.Flip1[c] = g < 0
	}
	convs := []*BinConv{n.B2, n.B3, n.B4}
	bns := []*BatchNorm{n.N2, n.N3, n.N4}
	bk.Shapes = bnet.Shapes()
	for l, bc := range convs {
		s := bk.Shapes[l]
		cw := kernels.B1Words(s.Cin)
		m := &kernels.B1Matrix{N: s.Cout, K: s.K(), Words: s.B1ConvWords(), Data: make([]uint64, s.Cout*s.B1ConvWords())}
		for o := 0; o < s.Cout; o++ {
			for ci := 0; ci < s.Cin; ci++ {
				for kh := 0; kh < 3; kh++ {
					for kw := 0; kw < 3; kw++ {
						if bc.Wt.W[((o*s.Cin+ci)*3+kh)*3+kw] < 0 {
							w := o*m.Words + (kh*3+kw)*cw + ci/kernels.B1WordBits
							m.Data[w] |= 1 << (ci % kernels.B1WordBits)
						}
					}
				}
			}
		}
		th := &kernels.Threshold{Thr: make([]int32, s.Cout), Flip: make([]bool, s.Cout)}
		for c := 0; c < s.Cout; c++ {
			th.Thr[c], th.Flip[c] = intThreshold(bns[l], c, s.K())
		}
		bk.B[l], bk.Th[l] = m, th
	}
	// fc weights [In = 128*49 in NCHW order, 10]; kernel input is NHWC (p*128 + c)
	if bk.W5, err = quantRows4(10, 6272, func(r, i int) float32 {
		p, c := i/128, i%128
		return n.L5.Wt.W[(c*49+p)*10+r]
	}); err != nil {
		return nil, err
	}
	bk.Bias5 = append([]float32(nil), n.L5.B.W...)
	return bk, nil
}

// BinaryAccuracy classifies every image of d through the kernels.
func BinaryAccuracy(bk *bnet.Net, d *mnist.Dataset) (float64, error) {
	right := 0
	for i := 0; i < d.N; i++ {
		lg, err := bk.Classify(d.Image(i))
		if err != nil {
			return 0, err
		}
		if nn.Argmax(lg) == int(d.Labels[i]) {
			right++
		}
	}
	return float64(right) / float64(d.N), nil
}
