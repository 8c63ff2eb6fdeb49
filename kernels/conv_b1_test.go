package kernels

import (
	"errors"
	"slices"
	"testing"
)

// One plan run on many images, flat and random, gives each image the
// reference's signs: nothing of one run (the flat pixels' copies) leaks
// into the next.
func TestConvB1SignPlan_Run(t *testing.T) {
	r := CaseRNG(7)
	for _, s := range []ConvShape{{28, 28, 32, 64, 3, 2}, {14, 14, 64, 64, 3, 1}, {14, 14, 64, 128, 3, 2}, {1, 2, 33, 66, 3, 1}, {5, 4, 3, 5, 1, 1}, {6, 6, 70, 3, 3, 1}} {
		w := &B1Matrix{N: s.Cout, K: s.K(), Words: s.B1ConvWords()}
		for range s.Cout * s.KSize * s.KSize {
			w.Data = append(w.Data, randWords(r, 1, s.Cin)...)
		}
		th := &Threshold{Thr: make([]int32, s.Cout), Flip: make([]bool, s.Cout)}
		for n := range th.Thr {
			th.Thr[n] = int32(r.IntN(2*s.K()+1) - s.K())
			th.Flip[n] = r.IntN(2) == 1
		}
		p, err := NewConvB1SignPlan(s, w, th)
		if err != nil {
			t.Fatal(err)
		}
		for img := range 6 {
			x := randWords(r, s.H*s.W, s.Cin)
			if img%2 == 0 {
				flatB1(r, s, x)
			}
			got := make([]uint64, s.M()*B1Words(s.Cout))
			if err := p.Run(x, got); err != nil {
				t.Fatal(err)
			}
			want := make([]uint64, len(got))
			withRef(false, func() {
				if err := ConvB1Sign(s, x, w, th, want); err != nil {
					t.Fatal(err)
				}
			})
			if !slices.Equal(got, want) {
				t.Fatalf("%+v image %d: plan signs differ from the reference", s, img)
			}
		}
	}
}

func TestConvB1SignPlan_Errors(t *testing.T) {
	s := ConvShape{H: 4, W: 4, Cin: 8, Cout: 2, KSize: 3, Stride: 1}
	w := &B1Matrix{N: 2, K: s.K(), Words: s.B1ConvWords(), Data: make([]uint64, 2*9)}
	th := &Threshold{Thr: make([]int32, 2), Flip: make([]bool, 2)}
	for _, c := range []struct {
		name   string
		s      ConvShape
		w      *B1Matrix
		th     *Threshold
		nx, no int
	}{
		{"nil weights", s, nil, th, 16, 16},
		{"short weights", s, &B1Matrix{N: 2, K: s.K(), Words: 9, Data: make([]uint64, 17)}, th, 16, 16},
		{"threshold channels", s, w, &Threshold{Thr: make([]int32, 1), Flip: make([]bool, 1)}, 16, 16},
		{"even kernel", ConvShape{H: 4, W: 4, Cin: 8, Cout: 2, KSize: 2, Stride: 1}, w, th, 16, 16},
		{"short x", s, w, th, 15, 16},
		{"short out", s, w, th, 16, 15},
	} {
		p, err := NewConvB1SignPlan(c.s, c.w, c.th)
		if err == nil {
			err = p.Run(make([]uint64, c.nx), make([]uint64, c.no))
		}
		if !errors.Is(err, ErrShape) {
			t.Errorf("%s: got %v, want an ErrShape error", c.name, err)
		}
	}
}
