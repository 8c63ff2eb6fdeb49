package nn

import "github.com/qdiff/qdiff/kernels"

// SiLU is x * sigmoid(x), computed by kernels.SiLU (ExpF32, SIMD).
type SiLU struct{ x, y *T }

// Forward applies SiLU.
func (s *SiLU) Forward(x *T) *T {
	y := NewT(x.B, x.C, x.H, x.W)
	s.x, s.y = x, y
	Parallel(len(x.D), func(_, i0, i1 int) {
		kernels.SiLU(x.D[i0:i1], y.D[i0:i1])
	})
	return y
}

// Backward returns dx = dy * (sg + y*(1-sg)), sigmoid sg = y/x (1/2 at 0).
func (s *SiLU) Backward(dy *T) *T {
	dx := NewT(dy.B, dy.C, dy.H, dy.W)
	Parallel(len(dy.D), func(_, i0, i1 int) {
		for i := i0; i < i1; i++ {
			v, y := s.x.D[i], s.y.D[i]
			sg := float32(0.5)
			if v != 0 {
				sg = y / v
			}
			dx.D[i] = dy.D[i] * (sg + y*(1-sg))
		}
	})
	return dx
}

// Upsample2x is nearest-neighbour 2x upsampling.
type Upsample2x struct{}

// Forward upsamples x.
func (Upsample2x) Forward(x *T) *T {
	y := NewT(x.B, x.C, 2*x.H, 2*x.W)
	for bc := 0; bc < x.B*x.C; bc++ {
		src := x.D[bc*x.H*x.W:]
		dst := y.D[bc*4*x.H*x.W:]
		for iy := 0; iy < 2*x.H; iy++ {
			for ix := 0; ix < 2*x.W; ix++ {
				dst[iy*2*x.W+ix] = src[(iy/2)*x.W+ix/2]
			}
		}
	}
	return y
}

// Backward sums each 2x2 block of dy.
func (Upsample2x) Backward(dy *T) *T {
	h, w := dy.H/2, dy.W/2
	dx := NewT(dy.B, dy.C, h, w)
	for bc := 0; bc < dy.B*dy.C; bc++ {
		src := dy.D[bc*dy.H*dy.W:]
		dst := dx.D[bc*h*w:]
		for iy := 0; iy < dy.H; iy++ {
			for ix := 0; ix < dy.W; ix++ {
				dst[(iy/2)*w+ix/2] += src[iy*dy.W+ix]
			}
		}
	}
	return dx
}

// Concat joins a and b along channels.
func Concat(a, b *T) *T {
	y := NewT(a.B, a.C+b.C, a.H, a.W)
	for i := 0; i < a.B; i++ {
		yi := y.Img(i)
		n := copy(yi, a.Img(i))
		copy(yi[n:], b.Img(i))
	}
	return y
}

// SplitGrad splits the gradient of Concat(a, b) (a having ca channels).
func SplitGrad(dy *T, ca int) (*T, *T) {
	da := NewT(dy.B, ca, dy.H, dy.W)
	db := NewT(dy.B, dy.C-ca, dy.H, dy.W)
	for i := 0; i < dy.B; i++ {
		di := dy.Img(i)
		n := copy(da.Img(i), di)
		copy(db.Img(i), di[n:])
	}
	return da, db
}

// AddInto adds u into t elementwise (same shapes) and returns t.
func AddInto(t, u *T) *T {
	for i, v := range u.D {
		t.D[i] += v
	}
	return t
}
