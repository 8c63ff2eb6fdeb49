// Package unettest builds U-Nets for the tests of the packages that use them.
package unettest

import (
	"math/rand/v2"
	"testing"

	"github.com/qdiff/qdiff/models/unet"
)

// Random is the default U-Net with every parameter randomized: no
// zero-initialised branch and non-trivial norms, so a test of a whole
// forward pass sees every layer at work.
func Random(t testing.TB) *unet.UNet {
	t.Helper()
	u := unet.NewUNet(unet.DefaultUNet, 5)
	r := rand.New(rand.NewPCG(5, 5))
	for _, p := range u.Params() { // no zero-initialised branch, non-trivial norms
		if len(p.Shape) > 1 {
			p.InitUniform(r, p.Shape[1], 1)
		} else {
			for i := range p.W {
				p.W[i] += float32(0.1 * r.NormFloat64())
			}
		}
	}
	return u
}
