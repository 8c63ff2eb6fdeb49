package kernels

// convU8SignGo is convU8SignRef without SIMD (used where no SIMD variant
// applies): each pixel gathers its taps that hold ink (inside the image
// and non-zero) once and adds each one's products into all channels at
// once from weights laid out [tap, channel] (a fixed-length inner loop,
// well predicted); a pixel without any (a digit's blank margin) takes the
// signs of the zero dot product.
// out[p] bit n = (sum_tap w[n,tap]*x[p+tap] < thr[n])
func convU8SignGo(s ConvShape, x []uint8, w []int8, thr []int32, out []uint64) {
	k, p, nc := s.KSize, s.Pad(), s.Cout
	kk := k * k
	zw := convU8ZeroWord(thr[:nc])
	wt := make([]int32, kk*nc) // [tap, channel]
	for n := 0; n < nc; n++ {
		for t := 0; t < kk; t++ {
			wt[t*nc+n] = int32(w[n*kk+t])
		}
	}
	th := thr[:nc]
	var acc [B1WordBits]int32
	for oy := 0; oy < s.H; oy++ {
		for ox := 0; ox < s.W; ox++ {
			ink := false
			for kh := 0; kh < k; kh++ {
				iy := oy + kh - p
				if iy < 0 || iy >= s.H {
					continue
				}
				for kw := 0; kw < k; kw++ {
					ix := ox + kw - p
					if ix < 0 || ix >= s.W || x[iy*s.W+ix] == 0 {
						continue
					}
					v := int32(x[iy*s.W+ix])
					a := acc[:nc]
					wr := wt[(kh*k+kw)*nc:]
					wr = wr[:len(a)]
					if !ink {
						for n := range a {
							a[n] = wr[n] * v
						}
						ink = true
						continue
					}
					for n := range a {
						a[n] += wr[n] * v
					}
				}
			}
			if !ink {
				out[oy*s.W+ox] = zw
				continue
			}
			var word uint64
			for n, d := range acc[:len(th)] {
				word |= uint64(int64(d)-int64(th[n])) >> 63 << n
			}
			out[oy*s.W+ox] = word
		}
	}
}

// convU8ZeroWord returns the signs of a zero dot product (a pixel without
// ink in its taps) for thresholds thr.
func convU8ZeroWord(thr []int32) uint64 {
	var zw uint64
	for n, t := range thr {
		zw |= uint64(-int64(t)) >> 63 << n
	}
	return zw
}

// convU8Pad16 returns the image x [H, W] zero-padded by one pixel on every
// side, as int16 [(H+2), (W+2)], for the SIMD variants that pair taps: a
// window row's first two taps are then one 32-bit load. Their tap pairs
// are b1Order5's (tap kh*3+kw, -1 for the ninth tap's empty partner).
func convU8Pad16(s ConvShape, x []uint8) []int16 {
	h, wd := s.H, s.W
	rs := wd + 2
	x16 := make([]int16, (h+2)*rs)
	for y := 0; y < h; y++ {
		row := x[y*wd : y*wd+wd]
		d := x16[(y+1)*rs+1:]
		d = d[:len(row)]
		for i, v := range row {
			d[i] = int16(v)
		}
	}
	return x16
}

// convU8PairWeights lays out the weights w [32, 9] of a 3x3 conv for the
// SIMD variants that pair taps: [pair (b1Order5)][channel][tap of the
// pair] as int16, zero for the ninth tap's empty partner.
func convU8PairWeights(w []int8) (p [5 * 64]int16) {
	for i, pr := range b1Order5 {
		for n := 0; n < 32; n++ {
			p[i*64+2*n] = int16(w[n*9+pr[0]])
			if pr[1] >= 0 {
				p[i*64+2*n+1] = int16(w[n*9+pr[1]])
			}
		}
	}
	return p
}
