//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

func init() {
	if archsimd.X86.AVX2() {
		convU8SignFast = convU8SignAVX2
		addVariant("conv_u8", "amd64")
	}
}

// convU8SignAVX2 runs 32 output channels of a 3x3 conv (the binary
// network's first layer) as the wasm variant does, in pairs of taps: a pair
// of pixels is one broadcast int32 of two int16, and VPMADDWD multiplies it
// with eight channels' two weights at once; the compares become bits
// through VMOVMSKPS. Other shapes run convU8SignGo.
// out[p] bit n = (sum_tap w[n,tap]*x[p+tap] < thr[n])
func convU8SignAVX2(s ConvShape, x []uint8, w []int8, thr []int32, out []uint64) {
	if s.KSize != 3 || s.Cout != 32 {
		convU8SignGo(s, x, w, thr, out)
		return
	}
	pw := convU8PairWeights(w)
	var wv [5][4]archsimd.Int16x16 // [pair][8 channels]
	for p := range wv {
		for g := range wv[p] {
			wv[p][g] = archsimd.LoadInt16x16Array((*[16]int16)(pw[p*64+16*g:]))
		}
	}
	var th [4]archsimd.Int32x8
	for g := range th {
		th[g] = archsimd.LoadInt32x8Array((*[8]int32)(thr[8*g : 8*g+8]))
	}
	zw := convU8ZeroWord(thr)
	x16 := convU8Pad16(s, x)
	rs := s.W + 2
	for oy := 0; oy < s.H; oy++ {
		for ox := 0; ox < s.W; ox++ {
			r := x16[oy*rs+ox : oy*rs+ox+2*rs+3]
			var pr [5]int32
			pr[0] = int32(uint16(r[0])) | int32(r[1])<<16
			pr[1] = int32(uint16(r[rs])) | int32(r[rs+1])<<16
			pr[2] = int32(uint16(r[2*rs])) | int32(r[2*rs+1])<<16
			pr[3] = int32(uint16(r[2])) | int32(r[rs+2])<<16
			pr[4] = int32(r[2*rs+2])
			if pr[0]|pr[1]|pr[2]|pr[3]|pr[4] == 0 {
				out[oy*s.W+ox] = zw
				continue
			}
			var word uint64
			for g := 0; g < 4; g++ {
				a := archsimd.BroadcastInt32x8(pr[0]).AsInt16x16().DotProductPairs(wv[0][g])
				for p := 1; p < 5; p++ {
					a = a.Add(archsimd.BroadcastInt32x8(pr[p]).AsInt16x16().DotProductPairs(wv[p][g]))
				}
				word |= uint64(a.Less(th[g]).ToBits()) << (8 * g)
			}
			out[oy*s.W+ox] = word
		}
	}
}
