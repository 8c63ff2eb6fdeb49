package nn

import "math/rand/v2"

// ResBlock is GN-SiLU-Conv3x3, plus a projection of the conditioning
// embedding added per channel, then GN-SiLU-Conv3x3, plus a skip (1x1
// conv when the channel count changes).
type ResBlock struct {
	Cin, Cout    int
	N1, N2       *GroupNorm
	A1, A2, AE   SiLU
	C1, C2, Skip *Conv2D
	Emb          *Linear
}

// NewResBlock makes a block; the second conv starts at 0 so the block
// starts as its skip path.
func NewResBlock(rng *rand.Rand, name string, cin, cout, embDim, groups int) *ResBlock {
	r := &ResBlock{Cin: cin, Cout: cout,
		N1:  NewGroupNorm(name+".norm1", groups, cin),
		C1:  NewConv2D(rng, name+".conv1", cin, cout, 3, 1, 1),
		Emb: NewLinear(rng, name+".emb", embDim, cout, 1),
		N2:  NewGroupNorm(name+".norm2", groups, cout),
		C2:  NewConv2D(rng, name+".conv2", cout, cout, 3, 1, 0)}
	if cin != cout {
		r.Skip = NewConv2D(rng, name+".skip", cin, cout, 1, 1, 1)
	}
	return r
}

// Params lists the trainable tensors.
func (r *ResBlock) Params() []*Param {
	ps := ConcatParams(r.N1.Params(), r.C1.Params(), r.Emb.Params(), r.N2.Params(), r.C2.Params())
	if r.Skip != nil {
		ps = append(ps, r.Skip.Params()...)
	}
	return ps
}

// Forward applies the block to x with conditioning emb [B, embDim].
func (r *ResBlock) Forward(x, emb *T) *T {
	h := r.C1.Forward(r.A1.Forward(r.N1.Forward(x)))
	e := r.Emb.Forward(r.AE.Forward(emb))
	hw := h.H * h.W
	for b := 0; b < h.B; b++ {
		hi := h.Img(b)
		for c := 0; c < r.Cout; c++ {
			ev := e.D[b*r.Cout+c]
			for j := c * hw; j < (c+1)*hw; j++ {
				hi[j] += ev
			}
		}
	}
	h = r.C2.Forward(r.A2.Forward(r.N2.Forward(h)))
	if r.Skip != nil {
		return AddInto(h, r.Skip.Forward(x))
	}
	return AddInto(h, x)
}

// Backward returns dx and accumulates into demb.
func (r *ResBlock) Backward(dy, demb *T) *T {
	dh := r.N2.Backward(r.A2.Backward(r.C2.Backward(dy)))
	hw := dh.H * dh.W
	de := NewT(dh.B, r.Cout, 1, 1)
	for b := 0; b < dh.B; b++ {
		di := dh.Img(b)
		for c := 0; c < r.Cout; c++ {
			var s float32
			for _, v := range di[c*hw : (c+1)*hw] {
				s += v
			}
			de.D[b*r.Cout+c] = s
		}
	}
	AddInto(demb, r.AE.Backward(r.Emb.Backward(de)))
	dx := r.N1.Backward(r.A1.Backward(r.C1.Backward(dh)))
	if r.Skip != nil {
		return AddInto(dx, r.Skip.Backward(dy))
	}
	return AddInto(dx, dy)
}
