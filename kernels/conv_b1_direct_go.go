package kernels

import "math/bits"

// convB1SignDirect is ConvB1Sign without im2col for images of at most 64
// channels (one word a pixel): each output pixel XORs its KSize*KSize
// neighbours' words with each channel's weight words, counts only the taps
// inside the image (so no padding correction follows) and applies the
// channel's threshold as the dot product forms, writing packed signs
// [Ho*Wo, B1Words(Cout)]. Plain Go: popcount is one instruction natively
// and in wasm, and the gather is what im2col cost. sg and tt come from
// Threshold.linear. Interior pixels of 3x3 kernels take b1Interior9 or,
// for at most 32 channels, b1Interior5; an interior pixel whose nine taps
// hold one word, as does the last such pixel, copies that pixel's signs
// (digits are mostly flat background).
// dot = sum over valid taps of (Cin - 2*popcount(x XOR w)); bit j = (sg[j]*dot < tt[j])
func convB1SignDirect(s ConvShape, x, w []uint64, sg, tt []int64, out []uint64) {
	ho, wo := s.Out()
	p, k, n := s.Pad(), s.KSize, s.Cout
	kk, ow := k*k, B1Words(s.Cout)
	cin := int64(s.Cin)
	g := make([]uint64, kk)
	taps := make([]int, 0, kk)
	var r9 []b1Rec9
	var r5 []b1Rec5
	if kk == 9 {
		if s.Cin <= 32 {
			r5 = b1Recs5(w, sg, tt, 9*cin)
		} else {
			r9 = b1Recs9(w, sg, tt, 9*cin)
		}
	}
	var flat []uint64 // signs of an interior pixel whose taps all hold flatWord
	var flatWord uint64
	for oy := 0; oy < ho; oy++ {
		for ox := 0; ox < wo; ox++ {
			taps = gatherTaps(s, x, oy, ox, p, k, g, taps)
			row := out[(oy*wo+ox)*ow : (oy*wo+ox+1)*ow]
			if len(taps) == 9 && kk == 9 {
				same := sameWords(g)
				if same && flat != nil && g[0] == flatWord {
					copy(row, flat)
					continue
				}
				if r5 != nil {
					b1Interior5(g, r5, row)
				} else {
					b1Interior9(g, r9, row)
				}
				if same {
					flat, flatWord = append(flat[:0], row...), g[0]
				}
				continue
			}
			clear(row)
			valid := int64(len(taps)) * cin
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

// sameWords reports whether all of g hold one value: a pixel in a flat
// region (the background of a digit) whose signs were computed before.
func sameWords(g []uint64) bool {
	for _, v := range g[1:] {
		if v != g[0] {
			return false
		}
	}
	return true
}

// b1Rec9 is one output channel of a 3x3 binary conv on 33 to 64 channels:
// its nine tap words and, for an interior pixel, bit = (b - a*pc) >> 63
// with pc the popcount over the nine taps.
type b1Rec9 struct {
	w    [9]uint64
	a, b int64
}

// b1Rec5 is b1Rec9 for at most 32 channels: taps 2i and 2i+1 share word i
// (low and high half), tap 8 alone in word 4.
type b1Rec5 struct {
	w    [5]uint64
	a, b int64
}

// sg*(valid-2pc) < tt  <=>  sg*valid - tt - 2*sg*pc < 0
func b1Lin(sg, tt, valid int64) (a, b int64) { return 2 * sg, sg*valid - tt }

func b1Recs9(w []uint64, sg, tt []int64, valid int64) []b1Rec9 {
	r := make([]b1Rec9, len(sg))
	for j := range r {
		copy(r[j].w[:], w[j*9:])
		r[j].a, r[j].b = b1Lin(sg[j], tt[j], valid)
	}
	return r
}

func b1Recs5(w []uint64, sg, tt []int64, valid int64) []b1Rec5 {
	r := make([]b1Rec5, len(sg))
	for j := range r {
		wr := w[j*9 : j*9+9]
		r[j].w = b1Pair5(wr)
		r[j].a, r[j].b = b1Lin(sg[j], tt[j], valid)
	}
	return r
}

// b1Pair5 packs nine words of at most 32 bits into five.
func b1Pair5(g []uint64) [5]uint64 {
	return [5]uint64{g[0] | g[1]<<32, g[2] | g[3]<<32, g[4] | g[5]<<32, g[6] | g[7]<<32, g[8]}
}

// row = signs of every channel for one interior pixel with tap words g.
func b1Interior9(g []uint64, recs []b1Rec9, row []uint64) {
	g0, g1, g2, g3, g4, g5, g6, g7, g8 := g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8]
	for wd := range row {
		rs := recs[wd*B1WordBits : min(len(recs), (wd+1)*B1WordBits)]
		var word uint64
		for b := range rs {
			r := &rs[b]
			pc := bits.OnesCount64(g0^r.w[0]) + bits.OnesCount64(g1^r.w[1]) + bits.OnesCount64(g2^r.w[2]) +
				bits.OnesCount64(g3^r.w[3]) + bits.OnesCount64(g4^r.w[4]) + bits.OnesCount64(g5^r.w[5]) +
				bits.OnesCount64(g6^r.w[6]) + bits.OnesCount64(g7^r.w[7]) + bits.OnesCount64(g8^r.w[8])
			word |= uint64(r.b-r.a*int64(pc)) >> 63 << (b & 63)
		}
		row[wd] = word
	}
}

// b1Interior5 is b1Interior9 for at most 32 channels, two taps a word.
func b1Interior5(g []uint64, recs []b1Rec5, row []uint64) {
	q := b1Pair5(g)
	g0, g1, g2, g3, g4 := q[0], q[1], q[2], q[3], q[4]
	for wd := range row {
		rs := recs[wd*B1WordBits : min(len(recs), (wd+1)*B1WordBits)]
		var word uint64
		for b := range rs {
			r := &rs[b]
			pc := bits.OnesCount64(g0^r.w[0]) + bits.OnesCount64(g1^r.w[1]) + bits.OnesCount64(g2^r.w[2]) +
				bits.OnesCount64(g3^r.w[3]) + bits.OnesCount64(g4^r.w[4])
			word |= uint64(r.b-r.a*int64(pc)) >> 63 << (b & 63)
		}
		row[wd] = word
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
