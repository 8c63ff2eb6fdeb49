package kernels

import (
	"math/bits"
	"slices"
)

// convB1SignDirect is ConvB1Sign without im2col for images of at most 64
// channels (one word a pixel): each output pixel XORs its KSize*KSize
// neighbours' words with each channel's weight words, counts only the taps
// inside the image (so no padding correction follows) and applies the
// channel's threshold as the dot product forms, writing packed signs
// [Ho*Wo, B1Words(Cout)]. Plain Go: popcount is one instruction natively
// and in wasm, and the gather is what im2col cost. sg and tt come from
// Threshold.linear. 3x3 kernels take b1Plan3 instead.
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

// b1Plan3 is a 3x3 direct binary conv prepared once: the channels'
// records, every set of taps outside the image that occurs (its b1Class)
// and each output pixel's class (0: interior).
type b1Plan3 struct {
	r9      []b1Rec9
	r5      []b1Rec5
	classes []b1Class
	cls     []uint8

	// for a SIMD variant (b1Plan3Prep): the records once per class with
	// the class's constant [class, Cout, words of w, a, b], and per class
	// the masks of its taps inside the image (b1Masks)
	recsByClass []uint64
	masks       []uint64
}

func newB1Plan3(s ConvShape, w []uint64, sg, tt []int64) *b1Plan3 {
	p := &b1Plan3{classes: []b1Class{newB1Class(0, w, sg, tt, int64(s.Cin))}}
	if s.Cin <= 32 {
		p.r5 = b1Recs5(w, sg)
	} else {
		p.r9 = b1Recs9(w, sg)
	}
	ho, wo := s.Out()
	p.cls = make([]uint8, ho*wo)
	var g [9]uint64
	for oy := 0; oy < ho; oy++ {
		for ox := 0; ox < wo; ox++ {
			mask, _, _ := gather3(s, nil, oy*s.Stride-1, ox*s.Stride-1, &g)
			i := slices.IndexFunc(p.classes, func(c b1Class) bool { return c.mask == mask })
			if i < 0 {
				i = len(p.classes)
				p.classes = append(p.classes, newB1Class(mask, w, sg, tt, int64(s.Cin)))
			}
			p.cls[oy*wo+ox] = uint8(i)
		}
	}
	if b1Plan3Prep != nil {
		b1Plan3Prep(p, s)
	}
	return p
}

// b1Plan3Prep, set by a SIMD variant, derives at planning what its run
// reads (b1Plan3.recsByClass and masks).
var b1Plan3Prep func(p *b1Plan3, s ConvShape)

// prepByClass fills p.recsByClass and p.masks: per class, every channel's
// record words, its slope a and the class's constant b, one after another.
func (p *b1Plan3) prepByClass(s ConvShape) {
	for _, c := range p.classes {
		for j, b := range c.b {
			if p.r5 != nil {
				p.recsByClass = append(p.recsByClass, p.r5[j].w[:]...)
				p.recsByClass = append(p.recsByClass, uint64(p.r5[j].a), uint64(b))
			} else {
				p.recsByClass = append(p.recsByClass, p.r9[j].w[:]...)
				p.recsByClass = append(p.recsByClass, uint64(p.r9[j].a), uint64(b))
			}
		}
		p.masks = append(p.masks, b1Masks(c.mask, s.Cin <= 32)...)
	}
}

// b1Masks returns the words the wasm variant ANDs with each tap's XOR with
// the centre tap to find flat pixels: all ones for a tap inside the image,
// zero outside and for the padding word. With halves (at most 32 channels,
// taps paired into words as b1Pair5 pairs them) a word holds two taps' masks.
func b1Masks(mask uint16, halves bool) []uint64 {
	in := func(t int) uint64 {
		if mask>>t&1 == 1 {
			return 0
		}
		return ^uint64(0)
	}
	if halves {
		m := make([]uint64, 6)
		for i, pr := range b1Order5 {
			m[i] = in(pr[0]) & 0xFFFFFFFF
			if pr[1] >= 0 {
				m[i] |= in(pr[1]) << 32
			}
		}
		return m
	}
	m := make([]uint64, 10)
	for i, t := range b1Order {
		m[i] = in(t)
	}
	return m
}

// b1Plan3Fast, set by a SIMD variant, runs a prepared 3x3 conv in place
// of run.
var b1Plan3Fast func(p *b1Plan3, s ConvShape, x, out []uint64)

// run is convB1SignDirect for 3x3 kernels. Every pixel runs the same
// channel loop (b1Interior9, or b1Interior5 for at most 32 channels):
// taps outside the image hold zero words and the channel's threshold
// constant for that set of taps (its b1Class) removes what they add. A
// pixel whose taps inside the image all hold one word, as did the last
// such pixel of its class, copies that pixel's signs (digits are mostly
// flat background, the image's border included).
func (p *b1Plan3) run(s ConvShape, x, out []uint64) {
	ho, wo := s.Out()
	ow := B1Words(s.Cout)
	flat := make([]uint64, len(p.classes)*ow) // per class: the signs of its last flat pixel
	flatWord := make([]uint64, len(p.classes))
	flatOK := make([]bool, len(p.classes))
	for oy := 0; oy < ho; oy++ {
		iy0 := oy*s.Stride - 1
		for ox := 0; ox < wo; ox++ {
			ix0 := ox*s.Stride - 1
			row := out[(oy*wo+ox)*ow : (oy*wo+ox+1)*ow]
			ci := int(p.cls[oy*wo+ox])
			var g [9]uint64
			var same bool
			var fw uint64 // the word the taps inside share when same
			if ci == 0 {
				i := iy0*s.W + ix0
				q := x[i : i+2*s.W+3]
				g = [9]uint64{q[0], q[1], q[2], q[s.W], q[s.W+1], q[s.W+2], q[2*s.W], q[2*s.W+1], q[2*s.W+2]}
				same, fw = sameWords(g[:]), g[0]
			} else {
				_, same, fw = gather3(s, x, iy0, ix0, &g)
			}
			fr := flat[ci*ow : (ci+1)*ow]
			if same && flatOK[ci] && fw == flatWord[ci] {
				copy(row, fr)
				continue
			}
			if p.r5 != nil {
				b1Interior5(g, p.r5, p.classes[ci].b, row)
			} else {
				b1Interior9(g, p.r9, p.classes[ci].b, row)
			}
			if same {
				copy(fr, row)
				flatWord[ci], flatOK[ci] = fw, true
			}
		}
	}
}

// gather3 loads the taps of a 3x3 window at (iy0, ix0) that lie inside the
// image into g, leaving zeros outside, and returns the mask of the taps
// outside and whether the taps inside share one word fw. With x nil it
// only finds the mask.
func gather3(s ConvShape, x []uint64, iy0, ix0 int, g *[9]uint64) (mask uint16, same bool, fw uint64) {
	same, first := true, true
	for t := range 9 {
		iy, ix := iy0+t/3, ix0+t%3
		if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
			mask |= 1 << t
			continue
		}
		if x != nil {
			g[t] = x[iy*s.W+ix]
		}
		if first {
			fw, first = g[t], false
		} else if g[t] != fw {
			same = false
		}
	}
	return mask, same, fw
}

// b1Class is one set of taps outside the image (mask bit t for tap t; 0
// for interior pixels) of a 3x3 binary conv: per channel the constant b of
// the threshold rule bit = (b - a*pc) >> 63, where pc counts all nine taps
// with zero words outside.
type b1Class struct {
	mask uint16
	b    []int64
}

// newB1Class derives the class's constants. With P the popcount of the
// channel's weight words on the taps outside and valid = Cin * (taps
// inside), the rule sg*(valid - 2*(pc-P)) < tt is b - 2*sg*pc < 0 with
// b = sg*valid - tt + 2*sg*P.
func newB1Class(mask uint16, w []uint64, sg, tt []int64, cin int64) b1Class {
	c := b1Class{mask: mask, b: make([]int64, len(sg))}
	valid := cin * int64(9-bits.OnesCount16(mask))
	for j := range c.b {
		var p int64
		for t := range 9 {
			if mask>>t&1 == 1 {
				p += int64(bits.OnesCount64(w[j*9+t]))
			}
		}
		c.b[j] = sg[j]*valid - tt[j] + 2*sg[j]*p
	}
	return c
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

// b1Order is the order of the nine taps in a b1Rec9: the first two taps of
// each row, then the third column, so that a wasm variant loads pairs of
// neighbours from a row at once.
var b1Order = [9]int{0, 1, 3, 4, 6, 7, 2, 5, 8}

// b1Order5 is b1Order for b1Rec5: the taps in the low and high half of
// each word (-1: none).
var b1Order5 = [5][2]int{{0, 1}, {3, 4}, {6, 7}, {2, 5}, {8, -1}}

// b1Rec9 is one output channel of a 3x3 binary conv on 33 to 64 channels:
// its nine tap words in b1Order (a zero tenth, so that a wasm variant loads
// them in pairs) and the slope a = 2*sg of its threshold rule
// bit = (b - a*pc) >> 63 (b comes from the pixel's b1Class).
type b1Rec9 struct {
	w [10]uint64
	a int64
}

// b1Rec5 is b1Rec9 for at most 32 channels: two taps a word as b1Pair5
// pairs them, a zero word 5.
type b1Rec5 struct {
	w [6]uint64
	a int64
}

func b1Recs9(w []uint64, sg []int64) []b1Rec9 {
	r := make([]b1Rec9, len(sg))
	for j := range r {
		for i, t := range b1Order {
			r[j].w[i] = w[j*9+t]
		}
		r[j].a = 2 * sg[j]
	}
	return r
}

func b1Recs5(w []uint64, sg []int64) []b1Rec5 {
	r := make([]b1Rec5, len(sg))
	for j := range r {
		q := b1Pair5(w[j*9 : j*9+9])
		copy(r[j].w[:5], q[:])
		r[j].a = 2 * sg[j]
	}
	return r
}

// b1Pair5 packs nine words of at most 32 bits into five (b1Order5).
func b1Pair5(g []uint64) [5]uint64 {
	return [5]uint64{g[0] | g[1]<<32, g[3] | g[4]<<32, g[6] | g[7]<<32, g[2] | g[5]<<32, g[8]}
}

// row = signs of every channel for one pixel with tap words g and
// threshold constants bs (one a channel).
func b1Interior9(g [9]uint64, recs []b1Rec9, bs []int64, row []uint64) {
	g0, g1, g2, g3, g4, g5, g6, g7, g8 := g[0], g[1], g[3], g[4], g[6], g[7], g[2], g[5], g[8] // b1Order
	for wd := range row {
		rs := recs[wd*B1WordBits : min(len(recs), (wd+1)*B1WordBits)]
		cb := bs[wd*B1WordBits:]
		cb = cb[:len(rs)]
		var word uint64
		for b := range rs {
			r := &rs[b]
			pc := bits.OnesCount64(g0^r.w[0]) + bits.OnesCount64(g1^r.w[1]) + bits.OnesCount64(g2^r.w[2]) +
				bits.OnesCount64(g3^r.w[3]) + bits.OnesCount64(g4^r.w[4]) + bits.OnesCount64(g5^r.w[5]) +
				bits.OnesCount64(g6^r.w[6]) + bits.OnesCount64(g7^r.w[7]) + bits.OnesCount64(g8^r.w[8])
			word |= uint64(cb[b]-r.a*int64(pc)) >> 63 << (b & 63)
		}
		row[wd] = word
	}
}

// b1Interior5 is b1Interior9 for at most 32 channels, two taps a word.
func b1Interior5(g [9]uint64, recs []b1Rec5, bs []int64, row []uint64) {
	q := b1Pair5(g[:])
	g0, g1, g2, g3, g4 := q[0], q[1], q[2], q[3], q[4]
	for wd := range row {
		rs := recs[wd*B1WordBits : min(len(recs), (wd+1)*B1WordBits)]
		cb := bs[wd*B1WordBits:]
		cb = cb[:len(rs)]
		var word uint64
		for b := range rs {
			r := &rs[b]
			pc := bits.OnesCount64(g0^r.w[0]) + bits.OnesCount64(g1^r.w[1]) + bits.OnesCount64(g2^r.w[2]) +
				bits.OnesCount64(g3^r.w[3]) + bits.OnesCount64(g4^r.w[4])
			word |= uint64(cb[b]-r.a*int64(pc)) >> 63 << (b & 63)
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
