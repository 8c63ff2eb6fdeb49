package kernels

// siluFast is the fastest SiLU built; the wasm variant replaces it.
var siluFast = siluRef

// SiLU writes y[i] = x[i] * sigmoid(x[i]); y may alias x.
func SiLU(x, y []float32) error {
	if err := needLen("SiLU", "y", len(y), len(x)); err != nil {
		return err
	}
	siluFast(x, y)
	return nil
}

// y = x * sigmoid(x) = x / (1 + ExpF32(-x))
func siluRef(x, y []float32) {
	for i, v := range x {
		y[i] = v / float32(1+ExpF32(-v))
	}
}
