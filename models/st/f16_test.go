package st

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestF16Value_RoundTrip(t *testing.T) {
	for h := range 1 << 16 {
		v := F16Value(uint16(h))
		if v != v {
			if got := F16Bits(v); got&0x7c00 != 0x7c00 || got&0x3ff == 0 {
				t.Fatalf("NaN %#04x -> %#04x", h, got)
			}
			continue
		}
		if got := F16Bits(v); got != uint16(h) {
			t.Fatalf("%#04x -> %v -> %#04x", h, v, got)
		}
	}
}

// nearestF16 is the definition: the binary16 value closest to x, ties to
// the even bit pattern, by search over all finite halves of x's sign.
func nearestF16(x float32, finite []float64) uint16 {
	best, bestD := -1, math.Inf(1)
	for h, v := range finite {
		if math.Signbit(v) != math.Signbit(float64(x)) {
			continue
		}
		d := math.Abs(v - float64(x))
		if d < bestD || d == bestD && h&1 == 0 {
			best, bestD = h, d
		}
	}
	if math.Abs(float64(x)) >= 65520 { // beyond the largest half plus half an ulp
		if x < 0 {
			return 0xfc00
		}
		return 0x7c00
	}
	return uint16(best)
}

func TestF16Bits_Nearest(t *testing.T) {
	finite := make([]float64, 1<<16)
	for h := range finite {
		finite[h] = float64(F16Value(uint16(h)))
		if h&0x7c00 == 0x7c00 {
			finite[h] = math.NaN() // never the nearest
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	cases := []float32{0, 1, -1, 65504, 65519, 65520, 1e6, 6.1035156e-05, 5.9604645e-08, 2.9802322e-08, 2.9802326e-08, 1e-9, 0.1, 1.0009765625 + 0.00048828125}
	for range 3000 {
		e := r.IntN(40) - 30
		cases = append(cases, float32(math.Ldexp(r.Float64()*2-1, e)))
		cases = append(cases, F16Value(uint16(r.IntN(1<<16)))+float32(math.Ldexp(1, -r.IntN(30)))) // near a half
	}
	for _, x := range cases {
		if x != x || math.IsInf(float64(x), 0) {
			continue
		}
		want := nearestF16(x, finite)
		if x == 0 {
			want = F16Bits(x) // +0 and -0 keep their sign
		}
		if got := F16Bits(x); got != want {
			t.Errorf("F16Bits(%v) = %#04x (%v), want %#04x (%v)", x, got, F16Value(got), want, F16Value(want))
		}
	}
}

func TestF16Tensor_Floats(t *testing.T) {
	v := []float32{0, 1.5, -2, 65504, 5.9604645e-08}
	tt, err := F16Tensor("x", []int{5}, v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tt.Floats()
	if err != nil || len(got) != 5 {
		t.Fatal(got, err)
	}
	for i := range v {
		if got[i] != v[i] {
			t.Errorf("value %d: %v, want %v", i, got[i], v[i])
		}
	}
	if _, err := F16Tensor("y", []int{1}, []float32{0.1}); err == nil {
		t.Error("0.1 (not a half) accepted")
	}
	w := []float32{0.1, 1e-9, 1e6}
	RoundF16(w)
	if w[0] != F16Value(F16Bits(0.1)) || w[1] != 0 || !math.IsInf(float64(w[2]), 1) {
		t.Errorf("RoundF16: %v", w)
	}
	if f32, err := F32Tensor("z", []int{1}, []float32{0.1}).Floats(); err != nil || f32[0] != 0.1 {
		t.Errorf("F32 through Floats: %v %v", f32, err)
	}
}
