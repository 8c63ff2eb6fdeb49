package ptq

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/unet"

	"github.com/qdiff/qdiff/kernels"
	"github.com/qdiff/qdiff/models/engine"
)

// CalibInput is one calibration input of the noise predictor.
type CalibInput struct {
	X     []float32 // x_t, 28*28
	T     int       // the time step x_t was generated at (and is fed with)
	Label int
}

// TimeSampler draws calibration time steps.
type TimeSampler func(r *rand.Rand, T int) int

// NDTC draws t ~ N(mu, sigma) clamped to [0, T-1], PTQ4DM's
// normally-distributed time-step calibration.
func NDTC(mu, sigma float64) TimeSampler {
	return func(r *rand.Rand, T int) int {
		t := math.Round(mu + sigma*r.NormFloat64())
		return int(math.Max(0, math.Min(float64(T-1), t)))
	}
}

// UniformT draws t uniformly (an ablation of NDTC).
func UniformT() TimeSampler { return func(r *rand.Rand, T int) int { return r.IntN(T) } }

// GenerateCalibration produces n inputs x_t from the FP model itself:
// each starts from x_T ~ N(0, I) and runs a DDIM trajectory of steps steps
// (with guidance w) down to its own time step t drawn by ts; x_t is kept
// with that same t (not the loop index). A tenth of the labels are the
// "no label" token, as classifier-free guidance feeds both.
func GenerateCalibration(m unet.EpsModel, s *unet.Schedule, n, batch, steps int, w float64, ts TimeSampler, seed uint64, log io.Writer) ([]CalibInput, error) {
	r := rand.New(rand.NewPCG(seed, 0xca11b))
	var out []CalibInput
	t0 := time.Now()
	for len(out) < n {
		b := min(batch, n-len(out))
		targets := make([]int, b)
		labels := make([]int, b)
		for i := range targets {
			targets[i] = ts(r, s.T)
			labels[i] = r.IntN(10)
		}
		x := nn.NewT(b, 1, 28, 28)
		for i := range x.D {
			x.D[i] = float32(r.NormFloat64())
		}
		// per-sample trajectories: step k visits T-1 + (t_i - (T-1)) * k/steps
		at := func(i, k int) int {
			return int(math.Round(float64(s.T-1) + float64(targets[i]-(s.T-1))*float64(k)/float64(steps)))
		}
		for k := 0; k < steps; k++ {
			cur := make([]float64, b)
			for i := range cur {
				cur[i] = float64(at(i, k))
			}
			eps, err := guidedEpsAt(m, x, cur, labels, 10, w)
			if err != nil {
				return nil, err
			}
			for i := 0; i < b; i++ {
				tc, tn := at(i, k), at(i, k+1)
				if tc == tn {
					continue
				}
				ab, abn := s.AlphaBar[tc], s.AlphaBar[tn]
				img, e := x.Img(i), eps.Img(i)
				for p := range img {
					x0 := (float64(img[p]) - math.Sqrt(1-ab)*float64(e[p])) / math.Sqrt(ab)
					x0 = math.Max(-1, math.Min(1, x0))
					ep := (float64(img[p]) - math.Sqrt(ab)*x0) / math.Sqrt(1-ab)
					img[p] = float32(math.Sqrt(abn)*x0 + math.Sqrt(1-abn)*ep)
				}
			}
		}
		for i := 0; i < b; i++ {
			l := labels[i]
			if r.Float64() < 0.1 {
				l = 10
			}
			out = append(out, CalibInput{X: append([]float32(nil), x.Img(i)...), T: targets[i], Label: l})
		}
		fmt.Fprintf(log, "calibration set: %d/%d inputs (%s)\n", len(out), n, time.Since(t0).Round(time.Second))
	}
	return out, nil
}

// guidedEpsAt is guidedEps with a time step per sample.
func guidedEpsAt(m unet.EpsModel, x *nn.T, ts []float64, labels []int, classes int, w float64) (*nn.T, error) {
	b := x.B
	xx := nn.NewT(2*b, x.C, x.H, x.W)
	copy(xx.D, x.D)
	copy(xx.D[len(x.D):], x.D)
	tt := append(append([]float64(nil), ts...), ts...)
	ls := make([]int, 2*b)
	for i := range ls {
		ls[i] = classes
		if i < b {
			ls[i] = labels[i]
		}
	}
	e, err := m.Forward(xx, tt, ls)
	if err != nil {
		return nil, err
	}
	out := nn.NewT(b, x.C, x.H, x.W)
	n := len(x.D)
	for i := range out.D {
		c, u := e.D[i], e.D[n+i]
		out.D[i] = u + float32(w)*(c-u)
	}
	return out, nil
}

// RealNoisedCalibration makes calibration inputs from real images noised
// to uniformly drawn time steps (an ablation: PTQ4DM argues for inputs
// from the model's own trajectories instead).
func RealNoisedCalibration(d *mnist.Dataset, s *unet.Schedule, n int, seed uint64) []CalibInput {
	r := rand.New(rand.NewPCG(seed, 0x4ea1))
	out := make([]CalibInput, n)
	x0 := make([]float32, 784)
	eps := make([]float32, 784)
	for i := range out {
		j := r.IntN(d.N)
		for p, v := range d.Image(j) {
			x0[p] = float32(v)/127.5 - 1
			eps[p] = float32(r.NormFloat64())
		}
		t := r.IntN(s.T)
		xt := make([]float32, 784)
		s.Noise(x0, eps, xt, t)
		out[i] = CalibInput{X: xt, T: t, Label: int(d.Labels[j])}
	}
	return out
}

// PTQConfig selects the quantization method.
type PTQConfig struct {
	Prec engine.Precision
	// Search picks activation ranges minimizing the MSE of each layer's
	// output (PTQ4DM); false uses plain min-max ranges.
	Search bool
	// Keep is the number of calibration inputs whose activations each
	// layer's search sees.
	Keep int
	// Keep8 names the layers of a W4A8 net whose weights stay int8
	// (qdiff quantize keeps the first and last conv, "in" and "out").
	Keep8 []string
}

// Quantize makes a quantized copy of the FP32 net n calibrated on calib.
func Quantize(n *engine.Net, calib []CalibInput, cfg PTQConfig, log io.Writer) (*engine.Net, error) {
	keep8, err := CheckConfig(n, cfg)
	if err != nil {
		return nil, err
	}
	if len(calib) == 0 {
		return nil, fmt.Errorf("ptq: empty calibration set")
	}
	t0 := time.Now()
	obs := newObserver(max(cfg.Keep, 1), len(calib))
	n.Observe = obs.observe
	for i, c := range calib {
		obs.cur = i
		if _, err := n.Forward(c.X, float64(c.T), c.Label); err != nil {
			n.Observe = nil
			return nil, err
		}
	}
	n.Observe = nil
	q := n.Clone()
	q.Prec = cfg.Prec
	for _, c := range q.Convs() {
		prec := cfg.Prec
		if keep8[c.Name] {
			prec = engine.W8A8
		}
		if err := quantizeWeights(c, prec); err != nil {
			return nil, err
		}
		st := obs.stats[c.Name]
		if st == nil {
			return nil, fmt.Errorf("ptq: layer %s saw no activations", c.Name)
		}
		c.In = chooseRange(c, st, cfg)
	}
	a := q.MA
	a.Q = symRange(obs.stats[a.QKV.Name+".q"])
	a.K = symRange(obs.stats[a.QKV.Name+".k"])
	a.V = symRange(obs.stats[a.QKV.Name+".v"])
	a.P = engine.QParam{Scale: float32(obs.stats[a.QKV.Name+".p"].hi / 127)}
	q.RoundParamsF16() // the file stores them as F16: evaluate what ships
	fmt.Fprintf(log, "ptq: %v, %d calibration inputs, %d layers, search=%v, %s\n", cfg.Prec, len(calib), len(q.Convs()), cfg.Search, time.Since(t0).Round(time.Millisecond))
	return q, nil
}

// CheckConfig checks cfg against the net n before any calibration work:
// a quantized precision, and Keep8 naming layers of n in a W4A8 net. It
// returns the set of Keep8's layers.
func CheckConfig(n *engine.Net, cfg PTQConfig) (map[string]bool, error) {
	if cfg.Prec != engine.W8A8 && cfg.Prec != engine.W4A8 {
		return nil, fmt.Errorf("ptq: precision %v is not a quantized one", cfg.Prec)
	}
	if len(cfg.Keep8) > 0 && cfg.Prec != engine.W4A8 {
		return nil, fmt.Errorf("ptq: int8 layers kept in a %v net (only W4A8 has 4-bit layers)", cfg.Prec)
	}
	names := map[string]bool{}
	for _, c := range n.Convs() {
		names[c.Name] = true
	}
	keep := map[string]bool{}
	for _, k := range cfg.Keep8 {
		if !names[k] {
			return nil, fmt.Errorf("ptq: no layer %q to keep at 8 bits", k)
		}
		keep[k] = true
	}
	return keep, nil
}

// actStats are running min/max and a sample of whole inputs [h, w, c] of
// one layer.
type actStats struct {
	lo, hi float64
	h, w   int
	kept   [][]float32
}

type observer struct {
	keep, total, cur int
	stats            map[string]*actStats
}

func newObserver(keep, total int) *observer {
	return &observer{keep: keep, total: total, stats: map[string]*actStats{}}
}

func (o *observer) observe(name string, x []float32, h, w int) {
	st := o.stats[name]
	if st == nil {
		st = &actStats{lo: math.Inf(1), hi: math.Inf(-1), h: h, w: w}
		o.stats[name] = st
	}
	for _, v := range x {
		st.lo, st.hi = math.Min(st.lo, float64(v)), math.Max(st.hi, float64(v))
	}
	// keep evenly spaced inputs, deterministic
	if len(st.kept) < o.keep && o.cur*o.keep/o.total >= len(st.kept) {
		st.kept = append(st.kept, append([]float32(nil), x...))
	}
}

// quantizeWeights picks per-channel symmetric scales minimizing the
// weight MSE over clipping ratios, and packs int8 or 4-bit weights.
func quantizeWeights(c *engine.Conv, prec engine.Precision) error {
	k, co := c.K(), c.Cout
	qmax := float64(kernels.Q8Max)
	if prec == engine.W4A8 {
		qmax = kernels.Q4Max
	}
	wt := make([]int8, co*k)
	scale := make([]float32, co)
	for o := 0; o < co; o++ {
		col := make([]float64, k)
		var mx float64
		for i := 0; i < k; i++ {
			col[i] = float64(c.WF[i*co+o])
			mx = math.Max(mx, math.Abs(col[i]))
		}
		if mx == 0 {
			scale[o] = 1
			continue
		}
		best, bestErr := mx/qmax, math.Inf(1)
		for a := 1.0; a >= 0.5; a -= 0.02 {
			s := a * mx / qmax
			var e float64
			for _, v := range col {
				q := math.Max(-qmax, math.Min(qmax, math.RoundToEven(v/s)))
				e += (q*s - v) * (q*s - v)
			}
			if e < bestErr {
				best, bestErr = s, e
			}
		}
		scale[o] = float32(best)
		for i, v := range col {
			wt[o*k+i] = int8(math.Max(-qmax, math.Min(qmax, math.RoundToEven(v/float64(scale[o])))))
		}
	}
	var err error
	if prec == engine.W4A8 {
		c.Q4, err = kernels.PackQ4(co, k, wt, scale)
	} else {
		c.Q8, err = kernels.NewQ8Matrix(co, k, wt, scale)
	}
	return err
}

func rangeParam(lo, hi float64) engine.QParam {
	lo, hi = math.Min(lo, 0), math.Max(hi, 0)
	if hi-lo < 1e-8 {
		hi = lo + 1e-8
	}
	s := (hi - lo) / 255
	z := math.Round(-128 - lo/s)
	return engine.QParam{Scale: float32(s), Zero: int32(math.Max(-128, math.Min(127, z)))}
}

func symRange(st *actStats) engine.QParam {
	m := math.Max(math.Abs(st.lo), math.Abs(st.hi))
	return engine.QParam{Scale: float32(math.Max(m, 1e-8) / 127)}
}

// chooseRange returns min-max ranges, or with cfg.Search the clipped range
// whose quantized layer output is closest (MSE) to the FP output over the
// kept inputs.
func chooseRange(c *engine.Conv, st *actStats, cfg PTQConfig) engine.QParam {
	mm := rangeParam(st.lo, st.hi)
	if !cfg.Search || len(st.kept) == 0 {
		return mm
	}
	wq := dequantWeights(c)
	best, bestErr := mm, math.Inf(1)
	for _, a := range []float64{1, 0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3} {
		for _, b := range []float64{1, 0.9, 0.8, 0.6} {
			qp := rangeParam(st.lo*b, st.hi*a)
			var e float64
			for _, x := range st.kept {
				e += layerMSE(c, wq, x, st.h, st.w, qp)
			}
			if e < bestErr {
				best, bestErr = qp, e
			}
		}
	}
	return best
}

// dequantWeights returns the quantized weights as float32 [K, Cout].
func dequantWeights(c *engine.Conv) []float32 {
	k, co := c.K(), c.Cout
	out := make([]float32, k*co)
	var wt []int8
	var sc []float32
	if c.Q4 != nil {
		wt, sc = c.Q4.Unpack(), c.Q4.Scale
	} else {
		wt, sc = c.Q8.Data, c.Q8.Scale
	}
	for o := 0; o < co; o++ {
		for i := 0; i < k; i++ {
			out[i*co+o] = float32(wt[o*k+i]) * sc[o]
		}
	}
	return out
}

// layerMSE is the mean squared difference between the layer's FP output
// and its output with quantized weights wq and input fake-quantized by qp.
func layerMSE(c *engine.Conv, wq []float32, x []float32, h, w int, qp engine.QParam) float64 {
	xq := make([]float32, len(x))
	inv := 1 / qp.Scale
	for i, v := range x {
		xq[i] = float32(int32(kernels.QuantizeOne(v, inv, qp.Zero))-qp.Zero) * qp.Scale
	}
	ref := c.ApplyFloat(x, h, w, c.WF)
	got := c.ApplyFloat(xq, h, w, wq)
	var e float64
	for i := range ref {
		d := float64(ref[i] - got[i])
		e += d * d
	}
	return e / float64(len(ref))
}

// QuantError summarizes how far the quantized net's predictions are from
// the FP net's on inputs: the relative L2 error per input, sorted.
func QuantError(fp, q *engine.Net, inputs []CalibInput) ([]float64, error) {
	var errs []float64
	for _, c := range inputs {
		a, err := fp.Forward(c.X, float64(c.T), c.Label)
		if err != nil {
			return nil, err
		}
		b, err := q.Forward(c.X, float64(c.T), c.Label)
		if err != nil {
			return nil, err
		}
		var num, den float64
		for i := range a {
			num += float64(a[i]-b[i]) * float64(a[i]-b[i])
			den += float64(a[i]) * float64(a[i])
		}
		errs = append(errs, math.Sqrt(num/math.Max(den, 1e-12)))
	}
	slices.Sort(errs)
	return errs, nil
}
