package kernels

// Softmax normalizes each of the rows of x [rows, cols] in place:
// x[r,c] = exp(x[r,c] - max_r) / sum_c exp(x[r,c] - max_r), with ExpF32.
func Softmax(rows, cols int, x []float32) error {
	if err := positive("Softmax", rows, cols); err != nil {
		return err
	}
	if err := needLen("Softmax", "x", len(x), rows*cols); err != nil {
		return err
	}
	for r := 0; r < rows; r++ {
		row := x[r*cols : (r+1)*cols]
		mx := row[0]
		for _, v := range row {
			mx = max(mx, v)
		}
		var s float32
		for i, v := range row {
			e := ExpF32(v - mx)
			row[i] = e
			s += e
		}
		for i := range row {
			row[i] /= s
		}
	}
	return nil
}
