package kernels

// convU8SignGo is convU8SignRef without SIMD (the default; wasm has a SIMD
// variant): each
// pixel gathers its taps that hold ink (inside the image and non-zero)
// once, then every channel sums only those; a pixel without any (a
// digit's blank margin) takes the signs of the zero dot product.
// out[p] bit n = (sum_tap w[n,tap]*x[p+tap] < thr[n])
func convU8SignGo(s ConvShape, x []uint8, w []int8, thr []int32, out []uint64) {
	k, p := s.KSize, s.Pad()
	kk := k * k
	var zw uint64 // the signs of dot = 0
	for n := 0; n < s.Cout; n++ {
		zw |= uint64(-int64(thr[n])) >> 63 << n
	}
	ti := make([]int, 0, kk)
	tv := make([]int32, 0, kk)
	for oy := 0; oy < s.H; oy++ {
		for ox := 0; ox < s.W; ox++ {
			ti, tv = ti[:0], tv[:0]
			for kh := 0; kh < k; kh++ {
				iy := oy + kh - p
				if iy < 0 || iy >= s.H {
					continue
				}
				for kw := 0; kw < k; kw++ {
					ix := ox + kw - p
					if ix >= 0 && ix < s.W && x[iy*s.W+ix] != 0 {
						ti, tv = append(ti, kh*k+kw), append(tv, int32(x[iy*s.W+ix]))
					}
				}
			}
			if len(ti) == 0 {
				out[oy*s.W+ox] = zw
				continue
			}
			var word uint64
			for n := 0; n < s.Cout; n++ {
				wr := w[n*kk : (n+1)*kk]
				var dot int32
				for i, t := range ti {
					dot += int32(wr[t]) * tv[i]
				}
				word |= uint64(int64(dot)-int64(thr[n])) >> 63 << n
			}
			out[oy*s.W+ox] = word
		}
	}
}
