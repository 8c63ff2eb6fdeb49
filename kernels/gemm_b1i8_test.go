package kernels

import (
	"math/rand/v2"
	"testing"
)

// TestGemmB1I8Plan_Run checks the plan, epilogue included, against GemmI8
// on the same signs written out as int8 ±1: the two must agree exactly.
func TestGemmB1I8Plan_Run(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, d := range [][3]int{{1, 10, 6272}, {2, 12, 16}, {3, 13, 33}, {1, 1, 1}, {1, 5, 100}} {
		m, n, k := d[0], d[1], d[2]
		a := randWords(r, m, k)
		scale := randF32(r, n, 1)
		w, err := NewQ8Matrix(n, k, randI8(r, n*k, -127, 127), scale)
		if err != nil {
			t.Fatal(err)
		}
		e := &Epilogue{AScale: 1, Bias: randF32(r, n, 1)}
		p, err := NewGemmB1I8Plan(w)
		if err != nil {
			t.Fatal(err)
		}
		got := make([]float32, m*n)
		if err := p.Run(m, a, e, got); err != nil {
			t.Fatal(err)
		}
		s := make([]int8, m*k)
		for i := range m {
			for j := range k {
				s[i*k+j] = int8(1 - 2*int(a[i*B1Words(k)+j/64]>>(j%64)&1))
			}
		}
		want := make([]float32, m*n)
		if err := GemmI8(m, s, w, e, nil, want, nil); err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%v: output %d = %v, GemmI8 %v", d, i, got[i], want[i])
			}
		}
	}
}

func TestGemmB1I8Plan_Errors(t *testing.T) {
	if _, err := NewGemmB1I8Plan(nil); err == nil {
		t.Error("nil weights accepted")
	}
	if _, err := NewGemmB1I8Plan(&Q8Matrix{N: 2, K: 3, Data: make([]int8, 5)}); err == nil {
		t.Error("short weights accepted")
	}
	w, err := NewQ8Matrix(2, 70, make([]int8, 140), []float32{1, 1})
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewGemmB1I8Plan(w)
	if err != nil {
		t.Fatal(err)
	}
	e := &Epilogue{AScale: 1}
	for _, c := range []struct {
		name string
		m    int
		a    []uint64
		out  []float32
	}{
		{"short A", 1, make([]uint64, 1), make([]float32, 2)},
		{"short out", 1, make([]uint64, 2), make([]float32, 1)},
		{"zero rows", 0, nil, nil},
	} {
		if err := p.Run(c.m, c.a, e, c.out); err == nil {
			t.Errorf("%s accepted", c.name)
		}
	}
}
