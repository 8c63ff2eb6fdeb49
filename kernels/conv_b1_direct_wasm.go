//go:build goexperiment.simd && wasm

package kernels

import (
	"math/bits"
	"simd/archsimd"
)

func init() {
	b1Channels9, b1Channels5 = b1Channels9Wasm, b1Channels5Wasm
	addVariant("conv_b1", "wasm")
}

// b1Channels9Wasm is b1Interior9 with the tap words XORed two at a time:
// one v128 load and XOR for two taps, the halves' popcounts through
// i64x2.extract_lane and i64.popcnt (wazero's i8x16.popcnt is a long
// sequence without AVX-512). Loads are what the scalar loop spent most on.
// row = signs of every channel for one pixel with tap words g.
func b1Channels9Wasm(g [9]uint64, recs []b1Rec9, bs []int64, row []uint64) {
	g0 := archsimd.LoadUint64x2Array(&[2]uint64{g[0], g[1]})
	g1 := archsimd.LoadUint64x2Array(&[2]uint64{g[2], g[3]})
	g2 := archsimd.LoadUint64x2Array(&[2]uint64{g[4], g[5]})
	g3 := archsimd.LoadUint64x2Array(&[2]uint64{g[6], g[7]})
	g8 := g[8]
	for wd := range row {
		rs := recs[wd*B1WordBits : min(len(recs), (wd+1)*B1WordBits)]
		cb := bs[wd*B1WordBits:]
		cb = cb[:len(rs)]
		var word uint64
		for b := range rs {
			r := &rs[b]
			x0 := archsimd.LoadUint64x2Array((*[2]uint64)(r.w[0:2])).Xor(g0)
			x1 := archsimd.LoadUint64x2Array((*[2]uint64)(r.w[2:4])).Xor(g1)
			x2 := archsimd.LoadUint64x2Array((*[2]uint64)(r.w[4:6])).Xor(g2)
			x3 := archsimd.LoadUint64x2Array((*[2]uint64)(r.w[6:8])).Xor(g3)
			pc := bits.OnesCount64(x0.GetElem(0)) + bits.OnesCount64(x0.GetElem(1)) +
				bits.OnesCount64(x1.GetElem(0)) + bits.OnesCount64(x1.GetElem(1)) +
				bits.OnesCount64(x2.GetElem(0)) + bits.OnesCount64(x2.GetElem(1)) +
				bits.OnesCount64(x3.GetElem(0)) + bits.OnesCount64(x3.GetElem(1)) +
				bits.OnesCount64(g8^r.w[8])
			word |= uint64(cb[b]-r.a*int64(pc)) >> 63 << (b & 63)
		}
		row[wd] = word
	}
}

// b1Channels5Wasm is b1Channels9Wasm for at most 32 channels, two taps a
// word (b1Rec5).
func b1Channels5Wasm(g [9]uint64, recs []b1Rec5, bs []int64, row []uint64) {
	q := b1Pair5(g[:])
	g0 := archsimd.LoadUint64x2Array(&[2]uint64{q[0], q[1]})
	g1 := archsimd.LoadUint64x2Array(&[2]uint64{q[2], q[3]})
	g4 := q[4]
	for wd := range row {
		rs := recs[wd*B1WordBits : min(len(recs), (wd+1)*B1WordBits)]
		cb := bs[wd*B1WordBits:]
		cb = cb[:len(rs)]
		var word uint64
		for b := range rs {
			r := &rs[b]
			x0 := archsimd.LoadUint64x2Array((*[2]uint64)(r.w[0:2])).Xor(g0)
			x1 := archsimd.LoadUint64x2Array((*[2]uint64)(r.w[2:4])).Xor(g1)
			pc := bits.OnesCount64(x0.GetElem(0)) + bits.OnesCount64(x0.GetElem(1)) +
				bits.OnesCount64(x1.GetElem(0)) + bits.OnesCount64(x1.GetElem(1)) +
				bits.OnesCount64(g4^r.w[4])
			word |= uint64(cb[b]-r.a*int64(pc)) >> 63 << (b & 63)
		}
		row[wd] = word
	}
}
