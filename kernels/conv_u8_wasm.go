//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

func init() {
	convU8SignFast = convU8SignWasm
	addVariant("conv_u8", "wasm")
}

// convU8SignWasm runs 32 output channels (the binary network's first
// layer) in eight i32x4 accumulators held in locals: each tap broadcasts
// one pixel and multiplies the tap's weights of every channel; pixels
// outside the image or zero add nothing. The comparisons become bits by
// ANDing each group's all-ones lanes with their bit values and ORing the
// lanes; a pixel without ink in its taps takes the signs of the zero dot
// product. Other shapes run convU8SignGo.
// out[p] bit n = (sum_tap w[n,tap]*x[p+tap] < thr[n])
func convU8SignWasm(s ConvShape, x []uint8, w []int8, thr []int32, out []uint64) {
	if s.KSize != 3 || s.Cout != 32 {
		convU8SignGo(s, x, w, thr, out)
		return
	}
	var wt [9][8]archsimd.Int32x4
	for t := 0; t < 9; t++ {
		var col [32]int32
		for n := 0; n < 32; n++ {
			col[n] = int32(w[n*9+t])
		}
		for g := 0; g < 8; g++ {
			wt[t][g] = archsimd.LoadInt32x4(col[4*g : 4*g+4])
		}
	}
	var th [8]archsimd.Int32x4
	for g := 0; g < 8; g++ {
		th[g] = archsimd.LoadInt32x4(thr[4*g : 4*g+4])
	}
	lb := archsimd.LoadInt32x4Array(&laneBits)
	var zw uint64 // the signs of dot = 0
	for n := 0; n < 32; n++ {
		zw |= uint64(-int64(thr[n])) >> 63 << n
	}
	for oy := 0; oy < s.H; oy++ {
		for ox := 0; ox < s.W; ox++ {
			ink := false
			var a0, a1, a2, a3, a4, a5, a6, a7 archsimd.Int32x4
			for kh := 0; kh < 3; kh++ {
				iy := oy + kh - 1
				if iy < 0 || iy >= s.H {
					continue
				}
				for kw := 0; kw < 3; kw++ {
					ix := ox + kw - 1
					if ix < 0 || ix >= s.W || x[iy*s.W+ix] == 0 {
						continue
					}
					ink = true
					b := archsimd.BroadcastInt32x4(int32(x[iy*s.W+ix]))
					r := &wt[kh*3+kw]
					a0, a1, a2, a3 = a0.Add(r[0].Mul(b)), a1.Add(r[1].Mul(b)), a2.Add(r[2].Mul(b)), a3.Add(r[3].Mul(b))
					a4, a5, a6, a7 = a4.Add(r[4].Mul(b)), a5.Add(r[5].Mul(b)), a6.Add(r[6].Mul(b)), a7.Add(r[7].Mul(b))
				}
			}
			if !ink {
				out[oy*s.W+ox] = zw
				continue
			}
			v := a0.Less(th[0]).ToInt32x4().And(lb)
			v = v.Or(a1.Less(th[1]).ToInt32x4().And(lb.ShiftAllLeft(4)))
			v = v.Or(a2.Less(th[2]).ToInt32x4().And(lb.ShiftAllLeft(8)))
			v = v.Or(a3.Less(th[3]).ToInt32x4().And(lb.ShiftAllLeft(12)))
			v = v.Or(a4.Less(th[4]).ToInt32x4().And(lb.ShiftAllLeft(16)))
			v = v.Or(a5.Less(th[5]).ToInt32x4().And(lb.ShiftAllLeft(20)))
			v = v.Or(a6.Less(th[6]).ToInt32x4().And(lb.ShiftAllLeft(24)))
			v = v.Or(a7.Less(th[7]).ToInt32x4().And(lb.ShiftAllLeft(28)))
			out[oy*s.W+ox] = uint64(uint32(v.GetElem(0) | v.GetElem(1) | v.GetElem(2) | v.GetElem(3)))
		}
	}
}

// laneBits are the bit values of the four lanes of a channel group.
var laneBits = [4]int32{1, 2, 4, 8}
