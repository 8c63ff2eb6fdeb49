package bnet

import (
	"math/rand/v2"
	"testing"
)

// TestFirstThreshold checks the integer rule against the float rule at
// and around its boundary and at random dot products.
func TestFirstThreshold(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for c := range 2000 {
		ws := float32(r.NormFloat64() * 0.01)
		bias, thr := float32(r.NormFloat64()), float32(r.NormFloat64()*3)
		flip := c%2 == 1
		s, th := firstThreshold(ws, bias, thr, flip)
		check := func(v int32) {
			if v < -firstDotMax || v > firstDotMax {
				return
			}
			y := firstY(v, ws, bias)
			pos := y >= thr
			if flip {
				pos = y <= thr
			}
			if neg := s*v < th; neg == pos {
				t.Fatalf("case %d (ws %v bias %v thr %v flip %v): v=%d gives y=%v, integer rule s=%d t=%d disagrees", c, ws, bias, thr, flip, v, y, s, th)
			}
		}
		b := s * th // the boundary in v
		for d := int32(-3); d <= 3; d++ {
			check(b + d)
		}
		for range 20 {
			check(int32(r.IntN(2*firstDotMax+1) - firstDotMax))
		}
	}
}
