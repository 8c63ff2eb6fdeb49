//go:build goexperiment.simd && wasm

package kernels

func init() {
	b1Channels9, b1Channels5 = b1Channels9Wasm, b1Channels5Wasm
	addVariant("conv_b1", "wasm")
}

// b1Channels9Wasm is b1Interior9 through b1Word9 (conv_b1_direct_wasm.s),
// one call per 64 channels: the tap words are XORed two at a time in
// v128 and the halves counted with i64x2.extract_lane and i64.popcnt
// (wazero's i8x16.popcnt is a long sequence without AVX-512).
// row = signs of every channel for one pixel with tap words g.
func b1Channels9Wasm(g [9]uint64, recs []b1Rec9, bs []int64, row []uint64) {
	gg := [10]uint64{g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8]}
	for wd := range row {
		lo, hi := wd*B1WordBits, min(len(recs), (wd+1)*B1WordBits)
		_ = bs[hi-1]
		row[wd] = b1Word9(&gg, &recs[lo], &bs[lo], hi-lo)
	}
}

// b1Channels5Wasm is b1Channels9Wasm for at most 32 channels, two taps a
// word (b1Rec5).
func b1Channels5Wasm(g [9]uint64, recs []b1Rec5, bs []int64, row []uint64) {
	q := b1Pair5(g[:])
	gg := [6]uint64{q[0], q[1], q[2], q[3], q[4]}
	for wd := range row {
		lo, hi := wd*B1WordBits, min(len(recs), (wd+1)*B1WordBits)
		_ = bs[hi-1]
		row[wd] = b1Word5(&gg, &recs[lo], &bs[lo], hi-lo)
	}
}

// b1Word9 and b1Word5 are in conv_b1_direct_wasm.s.
//
//go:noescape
func b1Word9(gw *[10]uint64, recs *b1Rec9, bs *int64, n int) uint64

//go:noescape
func b1Word5(gw *[6]uint64, recs *b1Rec5, bs *int64, n int) uint64
