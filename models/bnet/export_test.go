package bnet

// FirstLayer exposes the derived first layer to the external tests.
func FirstLayer(bk *Net) ([]int8, []int32) {
	if err := bk.prepare(); err != nil {
		panic(err)
	}
	return bk.w1s, bk.thr1
}
