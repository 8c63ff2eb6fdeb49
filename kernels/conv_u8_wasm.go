//go:build goexperiment.simd && wasm

package kernels

func init() {
	convU8SignFast = convU8SignWasm
	addVariant("conv_u8", "wasm")
}

// convU8SignWasm runs 32 output channels of a 3x3 conv (the binary
// network's first layer) through convU8Sign32 (conv_u8_wasm.s), after
// laying out the zero-padded image as int16 and the weights and
// thresholds as one convU8Pack. Other shapes run convU8SignGo.
// out[p] bit n = (sum_tap w[n,tap]*x[p+tap] < thr[n])
func convU8SignWasm(s ConvShape, x []uint8, w []int8, thr []int32, out []uint64) {
	if s.KSize != 3 || s.Cout != 32 {
		convU8SignGo(s, x, w, thr, out)
		return
	}
	x16 := convU8Pad16(s, x)
	wt := convU8Pack{w: convU8PairWeights(w)}
	copy(wt.thr[:], thr)
	zw := convU8ZeroWord(thr)
	convU8Sign32(&x16[0], &wt, &out[0], zw, s.H, s.W)
}

// convU8Pack is what convU8Sign32 reads a pixel: the weights as
// [pair][group of 4 channels][channel][pair's tap] and the thresholds.
type convU8Pack struct {
	w   [5 * 8 * 8]int16
	thr [32]int32
}

// convU8Sign32 is in conv_u8_wasm.s.
//
//go:noescape
func convU8Sign32(x16 *int16, wt *convU8Pack, out *uint64, zw uint64, h, wd int)
