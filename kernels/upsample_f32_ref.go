package kernels

// Upsample2xNHWC is nearest 2x upsampling of x [H, W, C] into y [2H, 2W, C].
func Upsample2xNHWC(h, w, c int, x, y []float32) error {
	const op = "Upsample2xNHWC"
	if err := positive(op, h, w, c); err != nil {
		return err
	}
	if err := needLen(op, "x", len(x), h*w*c); err != nil {
		return err
	}
	if err := needLen(op, "y", len(y), 4*h*w*c); err != nil {
		return err
	}
	for oy := 0; oy < 2*h; oy++ {
		for ox := 0; ox < 2*w; ox++ {
			copy(y[(oy*2*w+ox)*c:(oy*2*w+ox+1)*c], x[((oy/2)*w+ox/2)*c:((oy/2)*w+ox/2+1)*c])
		}
	}
	return nil
}

// ConcatNHWC joins a [HW, Ca] and b [HW, Cb] along channels into y [HW, Ca+Cb].
func ConcatNHWC(hw, ca, cb int, a, b, y []float32) error {
	const op = "ConcatNHWC"
	if err := positive(op, hw, ca, cb); err != nil {
		return err
	}
	if len(a) < hw*ca || len(b) < hw*cb || len(y) < hw*(ca+cb) {
		return shapeErr(op, "slices of %d, %d, %d for %d pixels of %d+%d channels", len(a), len(b), len(y), hw, ca, cb)
	}
	c := ca + cb
	for p := 0; p < hw; p++ {
		copy(y[p*c:p*c+ca], a[p*ca:(p+1)*ca])
		copy(y[p*c+ca:(p+1)*c], b[p*cb:(p+1)*cb])
	}
	return nil
}
