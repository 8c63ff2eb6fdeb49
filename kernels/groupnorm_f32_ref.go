package kernels

import "math"

// GroupNormNHWC normalizes one NHWC image x [HW, C] over groups of C/G
// consecutive channels and all pixels, then applies gamma and beta per
// channel: y = (x - mean_g) / sqrt(var_g + eps) * gamma + beta.
// Statistics are accumulated in float64. y may alias x.
func GroupNormNHWC(hw, c, groups int, eps float32, x, gamma, beta, y []float32) error {
	if err := checkGroupNorm("GroupNormNHWC", hw, c, groups, x, gamma, beta, y); err != nil {
		return err
	}
	groupNormFast(hw, c, groups, eps, x, gamma, beta, y)
	return nil
}

func checkGroupNorm(op string, hw, c, groups int, x, gamma, beta, y []float32) error {
	if err := positive(op, hw, c, groups); err != nil {
		return err
	}
	if c%groups != 0 {
		return shapeErr(op, "%d channels do not split into %d groups", c, groups)
	}
	if err := needLen(op, "x", len(x), hw*c); err != nil {
		return err
	}
	if err := needLen(op, "y", len(y), hw*c); err != nil {
		return err
	}
	if len(gamma) != c || len(beta) != c {
		return shapeErr(op, "gamma and beta need %d values", c)
	}
	return nil
}

var groupNormFast = groupNormRef

// GroupNormSiLU is GroupNormNHWC followed by SiLU on its output, in one
// pass where a variant fuses them; the bits are those of the two
// operations one after the other.
func GroupNormSiLU(hw, c, groups int, eps float32, x, gamma, beta, y []float32) error {
	if err := checkGroupNorm("GroupNormSiLU", hw, c, groups, x, gamma, beta, y); err != nil {
		return err
	}
	groupNormSiLUFast(hw, c, groups, eps, x, gamma, beta, y)
	return nil
}

var groupNormSiLUFast = groupNormSiLURef

func groupNormSiLURef(hw, c, groups int, eps float32, x, gamma, beta, y []float32) {
	groupNormRef(hw, c, groups, eps, x, gamma, beta, y)
	siluRef(y[:hw*c], y[:hw*c])
}

// groupNormRef gathers the statistics with groupStats, then normalizes
// each value as float32(float32((x-mean)*r)*gamma) + beta.
func groupNormRef(hw, c, groups int, eps float32, x, gamma, beta, y []float32) {
	m, r := groupStats(hw, c, groups, eps, x, chanSumsRef)
	for p := 0; p < hw; p++ {
		xr, yr := x[p*c:(p+1)*c], y[p*c:(p+1)*c]
		for ch, v := range xr {
			yr[ch] = float32(float32((v-m[ch])*r[ch])*gamma[ch]) + beta[ch]
		}
	}
}

// gnChunk is the number of pixels whose values and squares a channel sums
// in float32 before the sum joins the float64 total (so that SIMD variants
// keep channels in lanes and still match the reference exactly).
const gnChunk = 16

// chanSumsRef adds into s and ss, per channel, the float32 sums of x and
// of x*x over chunks of gnChunk pixels, converted to float64.
func chanSumsRef(hw, c int, x []float32, s, ss []float64) {
	for p0 := 0; p0 < hw; p0 += gnChunk {
		for ch := 0; ch < c; ch++ {
			var a, q float32
			for p := p0; p < min(hw, p0+gnChunk); p++ {
				v := x[p*c+ch]
				a += v
				q += v * v
			}
			s[ch] += float64(a)
			ss[ch] += float64(q)
		}
	}
}

// groupStats returns each channel's group mean and 1/sqrt(var+eps).
func groupStats(hw, c, groups int, eps float32, x []float32, sums func(hw, c int, x []float32, s, ss []float64)) (mean, rstd []float32) {
	s, ss := make([]float64, c), make([]float64, c)
	sums(hw, c, x, s, ss)
	cpg := c / groups
	mean, rstd = make([]float32, c), make([]float32, c)
	for g := 0; g < groups; g++ {
		var gs, gss float64
		for ch := g * cpg; ch < (g+1)*cpg; ch++ {
			gs += s[ch]
			gss += ss[ch]
		}
		n := float64(hw * cpg)
		mu := gs / n
		r := float32(1 / math.Sqrt(math.Max(gss/n-mu*mu, 0)+float64(eps)))
		for ch := g * cpg; ch < (g+1)*cpg; ch++ {
			mean[ch], rstd[ch] = float32(mu), r
		}
	}
	return mean, rstd
}
