package engine

import "math/rand/v2"

// RandomDigit is the digit that a "random digit" request draws for seed,
// the same in the page and in `qdiff generate`.
func RandomDigit(seed uint64) int {
	return rand.New(rand.NewPCG(seed, 0xd161)).IntN(10)
}

// Pixels maps an image in [-1, 1] to 8-bit grey levels, rounding half
// away from zero: the bytes that the page draws and `qdiff generate`
// writes, so both can be compared byte for byte.
func Pixels(x []float32) []byte {
	out := make([]byte, len(x))
	for i, v := range x {
		f := (v + 1) * 127.5
		switch {
		case f <= 0:
			out[i] = 0
		case f >= 255:
			out[i] = 255
		default:
			out[i] = uint8(f + 0.5)
		}
	}
	return out
}
