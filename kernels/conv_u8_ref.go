package kernels

// ConvU8Sign is the first layer of a binary network: a KSize x KSize
// stride-1 convolution (zero padding) of a one-channel image of bytes
// x [H, W] with int8 weights w [Cout, KSize*KSize] (Cout <= 64), then
// per-channel integer thresholds, writing one packed sign word a pixel:
//
//	dot[p, n] = sum over taps inside the image of w[n, tap] * x[tap]
//	bit n of out[p] is set (-1) when dot[p, n] < thr[n]
//
// A threshold of the form dot > t is dot' < -t with the channel's weights
// negated. out holds H*W words; bits from Cout up stay clear.
func ConvU8Sign(s ConvShape, x []uint8, w []int8, thr []int32, out []uint64) error {
	const op = "ConvU8Sign"
	if err := s.check(op); err != nil {
		return err
	}
	if s.Cin != 1 || s.Stride != 1 || s.Cout > B1WordBits {
		return shapeErr(op, "needs one input channel, stride 1 and at most %d outputs, got %+v", B1WordBits, s)
	}
	kk := s.KSize * s.KSize
	if err := needLen(op, "x", len(x), s.H*s.W); err != nil {
		return err
	}
	if err := needLen(op, "W", len(w), s.Cout*kk); err != nil {
		return err
	}
	if err := needLen(op, "thr", len(thr), s.Cout); err != nil {
		return err
	}
	if err := needLen(op, "out", len(out), s.H*s.W); err != nil {
		return err
	}
	convU8SignFast(s, x, w, thr, out)
	return nil
}

var convU8SignFast = convU8SignGo

// out[p] bit n = (sum_tap w[n,tap]*x[p+tap] < thr[n])
func convU8SignRef(s ConvShape, x []uint8, w []int8, thr []int32, out []uint64) {
	k, p := s.KSize, s.Pad()
	kk := k * k
	for oy := 0; oy < s.H; oy++ {
		for ox := 0; ox < s.W; ox++ {
			var word uint64
			for n := 0; n < s.Cout; n++ {
				var dot int32
				for kh := 0; kh < k; kh++ {
					iy := oy + kh - p
					if iy < 0 || iy >= s.H {
						continue
					}
					for kw := 0; kw < k; kw++ {
						ix := ox + kw - p
						if ix >= 0 && ix < s.W {
							dot += int32(w[n*kk+kh*k+kw]) * int32(x[iy*s.W+ix])
						}
					}
				}
				if dot < thr[n] {
					word |= 1 << n
				}
			}
			out[oy*s.W+ox] = word
		}
	}
}
