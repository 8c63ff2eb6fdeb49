package kernels

import "math"

// GroupNormNHWC normalizes one NHWC image x [HW, C] over groups of C/G
// consecutive channels and all pixels, then applies gamma and beta per
// channel: y = (x - mean_g) / sqrt(var_g + eps) * gamma + beta.
// Statistics are accumulated in float64. y may alias x.
func GroupNormNHWC(hw, c, groups int, eps float32, x, gamma, beta, y []float32) error {
	const op = "GroupNormNHWC"
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
	groupNormFast(hw, c, groups, eps, x, gamma, beta, y)
	return nil
}

var groupNormFast = groupNormRef

// groupNormRef accumulates per-channel sums in float64 over the pixels
// (in pixel order), adds them per group in channel order, then normalizes
// each value as float32(float32((x-mean)*r)*gamma) + beta.
func groupNormRef(hw, c, groups int, eps float32, x, gamma, beta, y []float32) {
	m, r := groupStats(hw, c, groups, eps, x)
	for p := 0; p < hw; p++ {
		xr, yr := x[p*c:(p+1)*c], y[p*c:(p+1)*c]
		for ch, v := range xr {
			yr[ch] = float32(float32((v-m[ch])*r[ch])*gamma[ch]) + beta[ch]
		}
	}
}

// groupStats returns each channel's group mean and 1/sqrt(var+eps).
func groupStats(hw, c, groups int, eps float32, x []float32) (mean, rstd []float32) {
	s, ss := make([]float64, c), make([]float64, c)
	for p := 0; p < hw; p++ {
		for ch, v := range x[p*c : (p+1)*c] {
			f := float64(v)
			s[ch] += f
			ss[ch] += f * f
		}
	}
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
