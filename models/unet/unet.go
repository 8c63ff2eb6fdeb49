package unet

import (
	"fmt"
	"math/rand/v2"

	"github.com/qdiff/qdiff/models/nn"
)

// UNetConfig describes the class-conditional U-Net.
type UNetConfig struct {
	Size    int // image side (28)
	Ch      [3]int
	EmbDim  int // conditioning width
	TimeDim int // sinusoidal width
	Classes int // classes; index Classes is the "no label" token for guidance
	Groups  int
}

// DefaultUNet is qdiff's MNIST U-Net: 28 -> 14 -> 7 with attention at 7x7.
var DefaultUNet = UNetConfig{Size: 28, Ch: [3]int{32, 64, 128}, EmbDim: 256, TimeDim: 64, Classes: 10, Groups: 8}

// UNet predicts the noise eps of x_t given t and a class label.
type UNet struct {
	Cfg      UNetConfig
	TE1, TE2 *nn.Linear
	TA       nn.SiLU
	Class    *nn.Embedding
	In       *nn.Conv2D
	D0, D1   *nn.ResBlock
	Ds0, Ds1 *nn.Conv2D
	M1, M2   *nn.ResBlock
	MA       *nn.Attention
	U1, U0   *nn.ResBlock
	Up1, Up0 nn.Upsample2x
	NOut     *nn.GroupNorm
	AOut     nn.SiLU
	Out      *nn.Conv2D
}

// NewUNet builds the network with seeded initial weights.
func NewUNet(cfg UNetConfig, seed uint64) *UNet {
	rng := rand.New(rand.NewPCG(seed, 0x51d1ff))
	c0, c1, c2 := cfg.Ch[0], cfg.Ch[1], cfg.Ch[2]
	e, g := cfg.EmbDim, cfg.Groups
	return &UNet{Cfg: cfg,
		TE1:   nn.NewLinear(rng, "time.lin1", cfg.TimeDim, e, 1),
		TE2:   nn.NewLinear(rng, "time.lin2", e, e, 1),
		Class: nn.NewEmbedding(rng, "class", cfg.Classes+1, e),
		In:    nn.NewConv2D(rng, "in", 1, c0, 3, 1, 1),
		D0:    nn.NewResBlock(rng, "down0", c0, c0, e, g),
		Ds0:   nn.NewConv2D(rng, "down0.ds", c0, c0, 3, 2, 1),
		D1:    nn.NewResBlock(rng, "down1", c0, c1, e, g),
		Ds1:   nn.NewConv2D(rng, "down1.ds", c1, c1, 3, 2, 1),
		M1:    nn.NewResBlock(rng, "mid1", c1, c2, e, g),
		MA:    nn.NewAttention(rng, "mid.attn", c2, g),
		M2:    nn.NewResBlock(rng, "mid2", c2, c2, e, g),
		U1:    nn.NewResBlock(rng, "up1", c2+c1, c1, e, g),
		U0:    nn.NewResBlock(rng, "up0", c1+c0, c0, e, g),
		NOut:  nn.NewGroupNorm("out.norm", g, c0),
		Out:   nn.NewConv2D(rng, "out", c0, 1, 3, 1, 0),
	}
}

// Params lists every trainable tensor in a fixed order.
func (u *UNet) Params() []*nn.Param {
	return nn.ConcatParams(u.TE1.Params(), u.TE2.Params(), u.Class.Params(), u.In.Params(),
		u.D0.Params(), u.Ds0.Params(), u.D1.Params(), u.Ds1.Params(),
		u.M1.Params(), u.MA.Params(), u.M2.Params(), u.U1.Params(), u.U0.Params(),
		u.NOut.Params(), u.Out.Params())
}

// NumParams counts the scalar parameters.
func (u *UNet) NumParams() int {
	n := 0
	for _, p := range u.Params() {
		n += len(p.W)
	}
	return n
}

// Forward predicts eps for x [B,1,S,S] at time steps ts with labels
// (labels[i] == Classes means unconditional).
func (u *UNet) Forward(x *nn.T, ts []float64, labels []int) (*nn.T, error) {
	if x.C != 1 || x.H != u.Cfg.Size || x.W != u.Cfg.Size || len(ts) != x.B || len(labels) != x.B {
		return nil, fmt.Errorf("unet: input %s with %d times and %d labels, want [B 1 %d %d] and B of each", x.Shape(), len(ts), len(labels), u.Cfg.Size, u.Cfg.Size)
	}
	for _, l := range labels {
		if l < 0 || l > u.Cfg.Classes {
			return nil, fmt.Errorf("unet: label %d outside [0, %d]", l, u.Cfg.Classes)
		}
	}
	emb := u.TE2.Forward(u.TA.Forward(u.TE1.Forward(nn.TimeEmbedding(ts, u.Cfg.TimeDim))))
	nn.AddInto(emb, u.Class.Forward(labels))
	h0 := u.D0.Forward(u.In.Forward(x), emb)
	h1 := u.D1.Forward(u.Ds0.Forward(h0), emb)
	h := u.M2.Forward(u.MA.Forward(u.M1.Forward(u.Ds1.Forward(h1), emb)), emb)
	h = u.U1.Forward(nn.Concat(u.Up1.Forward(h), h1), emb)
	h = u.U0.Forward(nn.Concat(u.Up0.Forward(h), h0), emb)
	return u.Out.Forward(u.AOut.Forward(u.NOut.Forward(h))), nil
}

// Backward back-propagates dOut through the last Forward, accumulating
// gradients in every Param.
func (u *UNet) Backward(dOut *nn.T) {
	c0, c1 := u.Cfg.Ch[0], u.Cfg.Ch[1]
	demb := nn.NewT(dOut.B, u.Cfg.EmbDim, 1, 1)
	dh := u.NOut.Backward(u.AOut.Backward(u.Out.Backward(dOut)))
	dh = u.U0.Backward(dh, demb)
	dup, dh0 := nn.SplitGrad(dh, dh.C-c0)
	dh = u.U1.Backward(u.Up0.Backward(dup), demb)
	dup, dh1 := nn.SplitGrad(dh, dh.C-c1)
	dh = u.M2.Backward(u.Up1.Backward(dup), demb)
	dh = u.M1.Backward(u.MA.Backward(dh), demb)
	nn.AddInto(dh1, u.Ds1.Backward(dh))
	dh = u.D1.Backward(dh1, demb)
	nn.AddInto(dh0, u.Ds0.Backward(dh))
	u.In.Backward(u.D0.Backward(dh0, demb))
	u.Class.Backward(demb)
	u.TE1.Backward(u.TA.Backward(u.TE2.Backward(demb)))
}
