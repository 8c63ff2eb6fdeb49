package kernels

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestGemmI8_Epilogue(t *testing.T) {
	r := CaseRNG(1)
	m, n, k := 5, 7, 37
	a, wd := randI8(r, m*k, -128, 127), randI8(r, n*k, -127, 127)
	scale := []float32{0.01, 0.02, 0.03, 0.005, 0.5, 0.001, 0.1}
	w, err := NewQ8Matrix(n, k, wd, scale)
	if err != nil {
		t.Fatal(err)
	}
	e := &Epilogue{AScale: 0.03, AZero: -7, Bias: randF32(r, n, 1), OutScale: 0.2, OutZero: 5}
	outF := make([]float32, m*n)
	outQ := make([]int8, m*n)
	if err := GemmI8(m, a, w, e, nil, outF, nil); err != nil {
		t.Fatal(err)
	}
	if err := GemmI8(m, a, w, e, nil, nil, outQ); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s float64
			for p := 0; p < k; p++ {
				s += float64(int32(a[i*k+p])-e.AZero) * float64(e.AScale) * float64(wd[j*k+p]) * float64(scale[j])
			}
			s += float64(e.Bias[j])
			if got := float64(outF[i*n+j]); math.Abs(got-s) > 1e-5*(1+math.Abs(s)) {
				t.Fatalf("[%d,%d]: %v, want %v", i, j, got, s)
			}
			if q := QuantizeOne(outF[i*n+j], 1/e.OutScale, e.OutZero); outQ[i*n+j] != q {
				t.Fatalf("[%d,%d]: 8-bit out %d, want %d", i, j, outQ[i*n+j], q)
			}
		}
	}
}

func TestNewQ8Matrix_Rejects128(t *testing.T) {
	if _, err := NewQ8Matrix(1, 2, []int8{1, -128}, []float32{1}); err == nil {
		t.Error("weight -128 accepted")
	}
}

func TestPackQ4_RoundTrip(t *testing.T) {
	r := CaseRNG(2)
	for _, k := range []int{1, 15, 16, 17, 31, 32, 33, 100} {
		wd := randI8(r, 3*k, -7, 7)
		q, err := PackQ4(3, k, wd, make([]float32, 3))
		if err != nil {
			t.Fatal(err)
		}
		if len(q.Data) != 3*q.KP()/2 {
			t.Fatalf("k=%d: %d bytes, want %d", k, len(q.Data), 3*q.KP()/2)
		}
		if Compare(i8s(q.Unpack()), i8s(wd), 0) >= 0 {
			t.Fatalf("k=%d: unpack differs", k)
		}
		// the product equals the int8 product of the unpacked weights
		a := randI8(r, 4*k, -128, 127)
		got, want := make([]int32, 12), make([]int32, 12)
		gemmW4Ref(4, 3, k, a, q.Data, got)
		gemmI8Ref(4, 3, k, a, wd, want)
		if Compare(i32s(got), i32s(want), 0) >= 0 {
			t.Fatalf("k=%d: W4 product differs from int8 product", k)
		}
	}
	if _, err := PackQ4(1, 1, []int8{8}, []float32{1}); err == nil {
		t.Error("weight 8 accepted")
	}
}

func TestGemmB1_SignDot(t *testing.T) {
	r := CaseRNG(3)
	for _, k := range []int{1, 63, 64, 65, 200} {
		a, w := randWords(r, 3, k), randWords(r, 2, k)
		out := make([]int32, 6)
		bm := &B1Matrix{N: 2, K: k, Words: B1Words(k), Data: w}
		if err := GemmB1(3, a, bm, out); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			for j := 0; j < 2; j++ {
				var s int32
				for p := 0; p < k; p++ {
					s += B1Sign(a[i*bm.Words:], p) * B1Sign(w[j*bm.Words:], p)
				}
				if out[i*2+j] != s {
					t.Fatalf("k=%d [%d,%d]: %d, want %d", k, i, j, out[i*2+j], s)
				}
			}
		}
	}
}

func TestPackB1(t *testing.T) {
	w := make([]uint64, 2)
	v := make([]float32, 70)
	v[0], v[65] = -1, -0.5
	PackB1(v, w)
	if w[0] != 1 || w[1] != 2 {
		t.Fatalf("packed %x %x, want 1 2", w[0], w[1])
	}
}

// naiveConv is a direct NHWC convolution with zero padding of values x.
func naiveConv(s ConvShape, x func(y, x, c int) float64, w func(n, kh, kw, c int) float64) []float64 {
	ho, wo := s.Out()
	out := make([]float64, ho*wo*s.Cout)
	p := s.Pad()
	for oy := 0; oy < ho; oy++ {
		for ox := 0; ox < wo; ox++ {
			for n := 0; n < s.Cout; n++ {
				var acc float64
				for kh := 0; kh < s.KSize; kh++ {
					for kw := 0; kw < s.KSize; kw++ {
						iy, ix := oy*s.Stride+kh-p, ox*s.Stride+kw-p
						if iy < 0 || iy >= s.H || ix < 0 || ix >= s.W {
							continue
						}
						for c := 0; c < s.Cin; c++ {
							acc += x(iy, ix, c) * w(n, kh, kw, c)
						}
					}
				}
				out[(oy*wo+ox)*s.Cout+n] = acc
			}
		}
	}
	return out
}

func TestConvI8_Naive(t *testing.T) {
	r := CaseRNG(4)
	for _, s := range []ConvShape{{5, 6, 3, 4, 3, 1}, {7, 7, 2, 3, 3, 2}, {4, 4, 5, 2, 1, 1}, {6, 5, 3, 3, 1, 2}} {
		x := randI8(r, s.H*s.W*s.Cin, -128, 127)
		wd := randI8(r, s.Cout*s.K(), -127, 127)
		w, _ := NewQ8Matrix(s.Cout, s.K(), wd, []float32{1, 1, 1, 1}[:s.Cout])
		e := &Epilogue{AScale: 1, AZero: 9}
		out := make([]float32, s.M()*s.Cout)
		if err := ConvI8(s, x, w, e, nil, nil, out, nil); err != nil {
			t.Fatal(err)
		}
		want := naiveConv(s, func(y, xx, c int) float64 { return float64(int32(x[(y*s.W+xx)*s.Cin+c]) - e.AZero) },
			func(n, kh, kw, c int) float64 { return float64(wd[n*s.K()+(kh*s.KSize+kw)*s.Cin+c]) })
		if i := Compare(f32s(out), want, 0); i >= 0 {
			t.Fatalf("%+v: element %d: %v, want %v", s, i, out[i], want[i])
		}
	}
}

func TestConvB1_ZeroPadding(t *testing.T) {
	r := CaseRNG(5)
	for _, s := range []ConvShape{{5, 5, 3, 4, 3, 1}, {6, 7, 70, 3, 3, 2}, {3, 3, 64, 2, 3, 1}, {4, 4, 5, 2, 1, 1}} {
		x := randWords(r, s.H*s.W, s.Cin)
		cw := B1Words(s.Cin)
		var wd []uint64
		for range s.Cout * s.KSize * s.KSize {
			wd = append(wd, randWords(r, 1, s.Cin)...)
		}
		w := &B1Matrix{N: s.Cout, K: s.K(), Words: s.B1ConvWords(), Data: wd}
		out := make([]int32, s.M()*s.Cout)
		if err := ConvB1(s, x, w, out); err != nil {
			t.Fatal(err)
		}
		want := naiveConv(s, func(y, xx, c int) float64 { return float64(B1Sign(x[(y*s.W+xx)*cw:], c)) },
			func(n, kh, kw, c int) float64 {
				return float64(B1Sign(wd[n*w.Words+(kh*s.KSize+kw)*cw:], c))
			})
		if i := Compare(i32s(out), want, 0); i >= 0 {
			t.Fatalf("%+v: element %d: %v, want %v", s, i, out[i], want[i])
		}
		// thresholds: sign out matches thresholding the dot products
		th := &Threshold{Thr: make([]int32, s.Cout), Flip: make([]bool, s.Cout)}
		for n := range th.Thr {
			th.Thr[n] = int32(r.IntN(9) - 4)
			th.Flip[n] = n%2 == 1
		}
		sg := make([]uint64, s.M()*B1Words(s.Cout))
		if err := ConvB1Sign(s, x, w, th, sg); err != nil {
			t.Fatal(err)
		}
		for m := 0; m < s.M(); m++ {
			for n := 0; n < s.Cout; n++ {
				want := int32(-1)
				if th.Sign(n, out[m*s.Cout+n]) {
					want = 1
				}
				if got := B1Sign(sg[m*B1Words(s.Cout):], n); got != want {
					t.Fatalf("%+v: sign [%d,%d] = %d, want %d", s, m, n, got, want)
				}
			}
		}
	}
}

func TestQuantizeOne(t *testing.T) {
	for _, c := range []struct {
		y, inv float32
		z      int32
		want   int8
	}{
		{2.5, 1, 0, 2}, {3.5, 1, 0, 4}, {-2.5, 1, 0, -2}, {1000, 1, 0, 127}, {-1000, 1, 0, -128},
		{1, 1, 5, 6}, {0.1, 10, -3, -2}, {float32(math.NaN()), 1, 0, 0},
	} {
		if got := QuantizeOne(c.y, c.inv, c.z); got != c.want {
			t.Errorf("QuantizeOne(%v, %v, %v) = %d, want %d", c.y, c.inv, c.z, got, c.want)
		}
	}
}

func TestGroupNormNHWC(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 6))
	hw, c, g := 9, 6, 3
	x := randF32(r, hw*c, 3)
	gamma, beta := []float32{1, 1, 1, 1, 1, 1}, make([]float32, c)
	y := make([]float32, hw*c)
	if err := GroupNormNHWC(hw, c, g, 1e-5, x, gamma, beta, y); err != nil {
		t.Fatal(err)
	}
	for gi := 0; gi < g; gi++ {
		var s, ss float64
		for p := 0; p < hw; p++ {
			for ch := gi * 2; ch < gi*2+2; ch++ {
				s += float64(y[p*c+ch])
				ss += float64(y[p*c+ch]) * float64(y[p*c+ch])
			}
		}
		if mean, v := s/18, ss/18; math.Abs(mean) > 1e-5 || math.Abs(v-1) > 1e-3 {
			t.Errorf("group %d: mean %v var %v", gi, mean, v)
		}
	}
	if err := GroupNormNHWC(hw, 5, 3, 1e-5, x, gamma[:5], beta[:5], y); !errors.Is(err, ErrShape) {
		t.Errorf("5 channels in 3 groups: %v", err)
	}
}

func TestSoftmax(t *testing.T) {
	x := []float32{1, 2, 3, 1000, 1000, 1000}
	if err := Softmax(2, 3, x); err != nil {
		t.Fatal(err)
	}
	if math.Abs(float64(x[0]+x[1]+x[2])-1) > 1e-6 || math.Abs(float64(x[3])-1.0/3) > 1e-6 {
		t.Errorf("softmax %v", x)
	}
}

func TestUpsampleConcat(t *testing.T) {
	y := make([]float32, 8)
	if err := Upsample2xNHWC(1, 1, 2, []float32{1, 2}, y); err != nil {
		t.Fatal(err)
	}
	if Compare(f32s(y), []float64{1, 2, 1, 2, 1, 2, 1, 2}, 0) >= 0 {
		t.Errorf("upsample %v", y)
	}
	z := make([]float32, 6)
	if err := ConcatNHWC(2, 2, 1, []float32{1, 2, 3, 4}, []float32{5, 6}, z); err != nil {
		t.Fatal(err)
	}
	if Compare(f32s(z), []float64{1, 2, 5, 3, 4, 6}, 0) >= 0 {
		t.Errorf("concat %v", z)
	}
}

func TestEntryPoints_BadShapes(t *testing.T) {
	w, _ := NewQ8Matrix(2, 3, make([]int8, 6), []float32{1, 1})
	q4, _ := PackQ4(2, 3, make([]int8, 6), []float32{1, 1})
	b1 := &B1Matrix{N: 2, K: 3, Words: 1, Data: make([]uint64, 2)}
	e := &Epilogue{AScale: 1}
	cs := ConvShape{H: 4, W: 4, Cin: 2, Cout: 2, KSize: 3, Stride: 1}
	cw, _ := NewQ8Matrix(2, cs.K(), make([]int8, 2*cs.K()), []float32{1, 1})
	for _, c := range []struct {
		name string
		err  error
	}{
		{"GemmF32 short A", GemmF32(2, 2, 2, make([]float32, 3), make([]float32, 4), make([]float32, 4), false)},
		{"GemmF32 zero dim", GemmF32(0, 2, 2, nil, nil, nil, false)},
		{"GemmF32T short C", GemmF32T(true, true, 2, 2, 2, make([]float32, 4), make([]float32, 4), make([]float32, 3), false)},
		{"GemmI8 short A", GemmI8(2, make([]int8, 5), w, e, nil, make([]float32, 4), nil)},
		{"GemmI8 two outputs", GemmI8(2, make([]int8, 6), w, e, nil, make([]float32, 4), make([]int8, 4))},
		{"GemmI8 no output scale", GemmI8(2, make([]int8, 6), w, e, nil, nil, make([]int8, 4))},
		{"GemmI8 nil weights", GemmI8(2, make([]int8, 6), nil, e, nil, make([]float32, 4), nil)},
		{"GemmI8 bias length", GemmI8(2, make([]int8, 6), w, &Epilogue{AScale: 1, Bias: []float32{1}}, nil, make([]float32, 4), nil)},
		{"GemmI8Acc short acc", GemmI8Acc(2, 2, 3, make([]int8, 6), make([]int8, 6), make([]int32, 3))},
		{"GemmW4 short out", GemmW4(2, make([]int8, 6), q4, e, nil, make([]float32, 3), nil)},
		{"GemmB1 short A", GemmB1(2, make([]uint64, 1), b1, make([]int32, 4))},
		{"GemmB1 K too big", GemmB1(1, make([]uint64, 1), &B1Matrix{N: 1, K: 65, Words: 1, Data: make([]uint64, 1)}, make([]int32, 1))},
		{"GemmB1Sign bad threshold", GemmB1Sign(1, make([]uint64, 1), b1, &Threshold{}, nil, make([]uint64, 1))},
		{"ConvI8 short x", ConvI8(cs, make([]int8, 31), cw, e, nil, nil, make([]float32, 32), nil)},
		{"ConvI8 wrong weights", ConvI8(cs, make([]int8, 32), w, e, nil, nil, make([]float32, 32), nil)},
		{"ConvI8 even kernel", ConvI8(ConvShape{4, 4, 2, 2, 2, 1}, make([]int8, 32), cw, e, nil, nil, make([]float32, 32), nil)},
		{"ConvB1 wrong weights", ConvB1(cs, make([]uint64, 16), b1, make([]int32, 32))},
		{"SiLU short y", SiLU(make([]float32, 3), make([]float32, 2))},
		{"Add short b", Add(make([]float32, 3), make([]float32, 2), make([]float32, 3))},
		{"Quantize zero scale", Quantize(make([]float32, 3), 0, 0, make([]int8, 3))},
		{"Softmax short", Softmax(2, 3, make([]float32, 5))},
		{"Upsample short y", Upsample2xNHWC(2, 2, 1, make([]float32, 4), make([]float32, 15))},
		{"Concat short y", ConcatNHWC(2, 1, 1, make([]float32, 2), make([]float32, 2), make([]float32, 3))},
	} {
		if !errors.Is(c.err, ErrShape) {
			t.Errorf("%s: got %v, want an ErrShape error", c.name, c.err)
		}
	}
}
