package kernels

// implicitConv reports whether an 8-bit conv with weight panels p runs
// as an implicit GEMM (convPanels): 3x3 (stride 1 or 2), Cin a multiple
// of PanelK (so that each tap's run of Cin values is whole pairs).
func implicitConv(s ConvShape, p *I16Panels) bool {
	return p != nil && s.KSize == 3 && (s.Stride == 1 || s.Stride == 2) && s.Cin%PanelK == 0 && s.M() >= panelMinM
}

// convPanels is ConvI8/ConvW4 (their checks, product and epilogue) as an
// implicit GEMM: x is widened once into a zero-point-padded int16 image
// of (H+2) x (W+2) pixels, and the panel GEMM reads each output pixel's
// nine taps straight from it (tap (kh, kw) at pixel offset kh*(W+2)+kw
// from the window's corner, which a stride of 2 moves two pixels a step),
// so there is no im2col matrix (9x the image). Each product row is one
// output pixel, found through a table of row starts, so the padding
// columns cost nothing and the tiles store straight into the output.
func convPanels(op string, s ConvShape, x []int8, n, k int, p *I16Panels, e *Epilogue, acc []int32, scale []float32, colSum []int32, outF []float32, outQ []int8) error {
	if err := s.check(op); err != nil {
		return err
	}
	if n != s.Cout || k != s.K() {
		return shapeErr(op, "weights are %dx%d, the conv needs %dx%d", n, k, s.Cout, s.K())
	}
	if err := needLen(op, "x", len(x), s.H*s.W*s.Cin); err != nil {
		return err
	}
	m := s.M()
	acc, err := checkQOut(op, m, n, e, acc, outF, outQ)
	if err != nil {
		return err
	}
	wp, c := s.W+2, s.Cin
	panelsEpilogue(m, p, e, scale, colSum, acc, outF, outQ, func(sp *panelBufs, ep []float32, dst []int32) {
		sp.a = growTo(sp.a, (s.H+2)*wp*c)
		fillI16(sp.a, int16(e.AZero))
		for y := 0; y < s.H; y++ {
			widenI8Fast(1, s.W*c, s.W*c, x[y*s.W*c:(y+1)*s.W*c], sp.a[((y+1)*wp+1)*c:])
		}
		var taps [9]int
		for t := range taps {
			taps[t] = (t/3*wp + t%3) * c
		}
		// output pixel i's window starts at its top-left tap in the padded image
		_, wo := s.Out()
		sp.rows = panelRows(sp.rows, m, func(i int) int { return (i/wo*wp + i%wo) * s.Stride * c })
		panelProduct(sp, m, sp.rows, taps[:], c/PanelK, p, ep, dst)
	})
	return nil
}

// fillI16 sets every element of b to v (doubling copies).
func fillI16(b []int16, v int16) {
	if len(b) == 0 {
		return
	}
	b[0] = v
	for f := 1; f < len(b); f *= 2 {
		copy(b[f:], b[:f])
	}
}
