package sidial

import (
	"fmt"
	"math/rand/v2"
)

// Occlusion names a missingness pattern; Hidden is the fraction hidden.
type Occlusion struct {
	Name   string
	Hidden float64
	Halves bool // a half of the image (top, bottom, left or right, by seed) instead of blocks
}

// Levels are the test sets' missingness levels: random 7x7 blocks hiding
// 0%, 25%, 50% and 75% of the image, and one half of it.
var Levels = []Occlusion{{"none", 0, false}, {"blocks 25%", 0.25, false}, {"blocks 50%", 0.5, false}, {"blocks 75%", 0.75, false}, {"half", 0.5, true}}

// blockSide is the side of the occluding blocks (a 4x4 grid of them).
const blockSide = 7

// Mask returns which pixels o hides (true: hidden) for the given seed.
func (o Occlusion) Mask(seed uint64) ([]bool, error) {
	if o.Hidden < 0 || o.Hidden > 1 {
		return nil, fmt.Errorf("sidial: hidden fraction %v outside [0, 1]", o.Hidden)
	}
	r := rand.New(rand.NewPCG(seed, 0x51d1a1))
	m := make([]bool, Side*Side)
	if o.Halves {
		side := r.IntN(4)
		for i := range m {
			x, y := i%Side, i/Side
			m[i] = [4]bool{y < Side/2, y >= Side/2, x < Side/2, x >= Side/2}[side]
		}
		return m, nil
	}
	n := Side / blockSide
	blocks := r.Perm(n * n)[:int(o.Hidden*float64(n*n)+0.5)]
	for _, b := range blocks {
		bx, by := b%n*blockSide, b/n*blockSide
		for y := by; y < by+blockSide; y++ {
			for x := bx; x < bx+blockSide; x++ {
				m[y*Side+x] = true
			}
		}
	}
	return m, nil
}

// Occlude returns a copy of img with the hidden pixels set to 0 (what the
// classifier then sees: hidden ink looks like background).
func Occlude(img []uint8, mask []bool) []uint8 {
	out := append([]uint8(nil), img...)
	for i, h := range mask {
		if h {
			out[i] = 0
		}
	}
	return out
}
