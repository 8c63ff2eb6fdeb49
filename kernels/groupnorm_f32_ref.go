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
	cpg := c / groups
	for g := 0; g < groups; g++ {
		var s, ss float64
		for p := 0; p < hw; p++ {
			for _, v := range x[p*c+g*cpg : p*c+(g+1)*cpg] {
				s += float64(v)
				ss += float64(v) * float64(v)
			}
		}
		n := float64(hw * cpg)
		mean := s / n
		r := float32(1 / math.Sqrt(math.Max(ss/n-mean*mean, 0)+float64(eps)))
		m := float32(mean)
		for p := 0; p < hw; p++ {
			for ch := g * cpg; ch < (g+1)*cpg; ch++ {
				y[p*c+ch] = float32(float32((x[p*c+ch]-m)*r)*gamma[ch]) + beta[ch]
			}
		}
	}
	return nil
}
