//go:build goexperiment.simd && wasm

package kernels

func init() {
	b1Plan3Fast = b1Plan3Wasm
	b1Plan3Prep = (*b1Plan3).prepByClass
	addVariant("conv_b1", "wasm")
}

// b1Plan3Wasm runs a prepared 3x3 binary conv through b1Run9 or b1Run5
// (conv_b1_direct_wasm.s) on a zero-padded copy of x: the whole pixel loop
// is assembly, since Go's wasm code checks the bounds of each of its stack
// and slice accesses under wazero and that cost as much as the channel
// loop. More than 128 channels out run b1Plan3.run.
func b1Plan3Wasm(p *b1Plan3, s ConvShape, x, out []uint64) {
	ow := B1Words(s.Cout)
	if ow > 2 {
		p.run(s, x, out)
		return
	}
	rs := s.W + 2
	xp := make([]uint64, (s.H+2)*rs)
	for y := 0; y < s.H; y++ {
		copy(xp[(y+1)*rs+1:(y+1)*rs+1+s.W], x[y*s.W:(y+1)*s.W])
	}
	flat := make([]uint64, 4*len(p.classes)) // per class: word, ok, two sign words
	ho, wo := s.Out()
	if p.r5 != nil {
		b1Run5(&xp[0], &p.recsByClass[0], &p.cls[0], &p.masks[0], &flat[0], &out[0], ho, wo, 8*s.Stride, 8*rs, s.Cout, ow)
	} else {
		b1Run9(&xp[0], &p.recsByClass[0], &p.cls[0], &p.masks[0], &flat[0], &out[0], ho, wo, 8*s.Stride, 8*rs, s.Cout, ow)
	}
}

// b1Run9 and b1Run5 are in conv_b1_direct_wasm.s.
//
//go:noescape
func b1Run9(xp, recs *uint64, cls *uint8, masks, flat, out *uint64, ho, wo, step, rs, cout, ow int)

//go:noescape
func b1Run5(xp, recs *uint64, cls *uint8, masks, flat, out *uint64, ho, wo, step, rs, cout, ow int)
