package kernels

import "math/bits"

// convB1SignDirect is ConvB1Sign without im2col for images of at most 64
// channels (one word a pixel): each output pixel XORs its KSize*KSize
// neighbours' words with each channel's weight words, counts only the taps
// inside the image (so no padding correction follows) and applies the
// channel's threshold as the dot product forms, writing packed signs
// [Ho*Wo, B1Words(Cout)]. Plain Go: popcount is one instruction natively
// and in wasm, and the gather is what im2col cost. sg and tt come from
// Threshold.linear.
// dot = sum over valid taps of (Cin - 2*popcount(x XOR w)); bit j = (sg[j]*dot < tt[j])
func convB1SignDirect(s ConvShape, x, w []uint64, sg, tt []int64, out []uint64) {
	ho, wo := s.Out()
	p, k, n := s.Pad(), s.KSize, s.Cout
	kk, ow := k*k, B1Words(s.Cout)
	cin := int64(s.Cin)
	g := make([]uint64, kk)
	taps := make([]int, 0, kk)
	for oy := 0; oy < ho; oy++ {
		for ox := 0; ox < wo; ox++ {
			taps = gatherTaps(s, x, oy, ox, p, k, g, taps)
			row := out[(oy*wo+ox)*ow : (oy*wo+ox+1)*ow]
			clear(row)
			valid := int64(len(taps)) * cin
			if len(taps) == 9 && kk == 9 {
				g0, g1, g2, g3, g4, g5, g6, g7, g8 := g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8]
				for j := 0; j < n; j++ {
					wr := w[j*9 : j*9+9 : j*9+9]
					pc := bits.OnesCount64(g0^wr[0]) + bits.OnesCount64(g1^wr[1]) + bits.OnesCount64(g2^wr[2]) +
						bits.OnesCount64(g3^wr[3]) + bits.OnesCount64(g4^wr[4]) + bits.OnesCount64(g5^wr[5]) +
						bits.OnesCount64(g6^wr[6]) + bits.OnesCount64(g7^wr[7]) + bits.OnesCount64(g8^wr[8])
					dot := valid - 2*int64(pc)
					row[j/B1WordBits] |= uint64(sg[j]*dot-tt[j]) >> 63 << (j % B1WordBits)
				}
				continue
			}
			for j := 0; j < n; j++ {
				wr := w[j*kk : (j+1)*kk]
				pc := 0
				for _, t := range taps {
					pc += bits.OnesCount64(g[t] ^ wr[t])
				}
				dot := valid - 2*int64(pc)
				row[j/B1WordBits] |= uint64(sg[j]*dot-tt[j]) >> 63 << (j % B1WordBits)
			}
		}
	}
}

// gatherTaps loads the words of output pixel (oy, ox)'s taps inside the
// image into g (indexed by tap) and returns their indices.
func gatherTaps(s ConvShape, x []uint64, oy, ox, p, k int, g []uint64, taps []int) []int {
	taps = taps[:0]
	for kh := 0; kh < k; kh++ {
		iy := oy*s.Stride + kh - p
		for kw := 0; kw < k; kw++ {
			ix := ox*s.Stride + kw - p
			if iy >= 0 && iy < s.H && ix >= 0 && ix < s.W {
				g[kh*k+kw] = x[iy*s.W+ix]
				taps = append(taps, kh*k+kw)
			}
		}
	}
	return taps
}

// convB1Fast selects the direct signed convolution where it applies; the
// kernel table's reference run switches it off.
var convB1Fast = true

// convB1 computes ConvB1's int32 dot products into out through im2col.
func convB1(s ConvShape, x []uint64, w *B1Matrix, out []int32) {
	col := make([]uint64, s.M()*w.Words)
	im2col(s, B1Words(s.Cin), x, 0, col) // padded pixels: clear bits, +1
	gemmB1Fast(s.M(), w.N, w.Words, int32(w.K), col, w.Data, out)
	padFixB1(s, w, out)
}
