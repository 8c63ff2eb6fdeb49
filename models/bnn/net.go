package bnn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/qdiff/qdiff/models/nn"
)

// BatchNorm normalizes each channel over the batch and pixels (training)
// or with running statistics (evaluation), then applies gamma and beta.
type BatchNorm struct {
	C               int
	Gamma, Beta     *nn.Param
	RunMean, RunVar []float32
	Momentum, Eps   float32
	Train           bool
	xhat            *nn.T
	invstd          []float32
}

// NewBatchNorm makes a batch norm with gamma 1, beta 0.
func NewBatchNorm(name string, c int) *BatchNorm {
	b := &BatchNorm{C: c, Gamma: nn.NewParam(name+".weight", c), Beta: nn.NewParam(name+".bias", c),
		RunMean: make([]float32, c), RunVar: make([]float32, c), Momentum: 0.1, Eps: 1e-5, Train: true}
	b.Gamma.Fill(1)
	for i := range b.RunVar {
		b.RunVar[i] = 1
	}
	return b
}

// Params lists the trainable tensors.
func (b *BatchNorm) Params() []*nn.Param { return []*nn.Param{b.Gamma, b.Beta} }

// Forward normalizes x.
func (b *BatchNorm) Forward(x *nn.T) *nn.T {
	y := nn.NewT(x.B, x.C, x.H, x.W)
	hw := x.H * x.W
	b.xhat = nn.NewT(x.B, x.C, x.H, x.W)
	b.invstd = make([]float32, b.C)
	for c := 0; c < b.C; c++ {
		mean, vr := float64(b.RunMean[c]), float64(b.RunVar[c])
		if b.Train {
			var s, ss float64
			for i := 0; i < x.B; i++ {
				for _, v := range x.Img(i)[c*hw : (c+1)*hw] {
					s += float64(v)
					ss += float64(v) * float64(v)
				}
			}
			n := float64(x.B * hw)
			mean = s / n
			vr = math.Max(ss/n-mean*mean, 0)
			m := float64(b.Momentum)
			b.RunMean[c] = float32((1-m)*float64(b.RunMean[c]) + m*mean)
			b.RunVar[c] = float32((1-m)*float64(b.RunVar[c]) + m*vr*n/math.Max(n-1, 1))
		}
		is := float32(1 / math.Sqrt(vr+float64(b.Eps)))
		b.invstd[c] = is
		mu := float32(mean)
		for i := 0; i < x.B; i++ {
			xi, yi, hi := x.Img(i)[c*hw:(c+1)*hw], y.Img(i)[c*hw:(c+1)*hw], b.xhat.Img(i)[c*hw:(c+1)*hw]
			for j, v := range xi {
				h := (v - mu) * is
				hi[j] = h
				yi[j] = h*b.Gamma.W[c] + b.Beta.W[c]
			}
		}
	}
	return y
}

// Backward returns dx (training mode statistics).
func (b *BatchNorm) Backward(dy *nn.T) *nn.T {
	dx := nn.NewT(dy.B, dy.C, dy.H, dy.W)
	hw := dy.H * dy.W
	n := float32(dy.B * hw)
	for c := 0; c < b.C; c++ {
		var sd, sdh float32
		for i := 0; i < dy.B; i++ {
			d, h := dy.Img(i)[c*hw:(c+1)*hw], b.xhat.Img(i)[c*hw:(c+1)*hw]
			for j := range d {
				sd += d[j]
				sdh += d[j] * h[j]
			}
		}
		b.Gamma.G[c] += sdh
		b.Beta.G[c] += sd
		g, is := b.Gamma.W[c], b.invstd[c]
		for i := 0; i < dy.B; i++ {
			d, h, o := dy.Img(i)[c*hw:(c+1)*hw], b.xhat.Img(i)[c*hw:(c+1)*hw], dx.Img(i)[c*hw:(c+1)*hw]
			for j := range d {
				o[j] = g * is * (d[j] - sd/n - h[j]*sdh/n)
			}
		}
	}
	return dx
}

// SignSTE is sign(x) (+1 for x >= 0, -1 below: the kernels' bit
// convention) with the straight-through gradient 1{|x| <= 1}.
type SignSTE struct{ x *nn.T }

// Forward binarizes x.
func (s *SignSTE) Forward(x *nn.T) *nn.T {
	s.x = x
	y := nn.NewT(x.B, x.C, x.H, x.W)
	for i, v := range x.D {
		y.D[i] = signOf(v)
	}
	return y
}

func signOf(v float32) float32 {
	if v < 0 {
		return -1
	}
	return 1
}

// Backward passes dy where |x| <= 1.
func (s *SignSTE) Backward(dy *nn.T) *nn.T {
	dx := nn.NewT(dy.B, dy.C, dy.H, dy.W)
	for i, v := range s.x.D {
		if v >= -1 && v <= 1 {
			dx.D[i] = dy.D[i]
		}
	}
	return dx
}

// BinConv is a convolution with binarized weights sign(W) over latent
// real weights W (straight-through gradient, clipped to |W| <= 1); no
// bias and no scaling factor, which the following batch norm absorbs.
type BinConv struct {
	*nn.Conv2D
	latent []float32
}

// NewBinConv makes a binary conv with latent weights uniform in ±0.1.
func NewBinConv(rng *rand.Rand, name string, cin, cout, stride int) *BinConv {
	c := nn.NewConv2D(rng, name, cin, cout, 3, stride, 1)
	for i := range c.Wt.W {
		c.Wt.W[i] = float32((rng.Float64()*2 - 1) * 0.1)
	}
	c.Wt.Decay = false
	return &BinConv{Conv2D: c}
}

// Params lists the latent weights (the bias stays 0).
func (b *BinConv) Params() []*nn.Param { return []*nn.Param{b.Wt} }

// Forward convolves with sign(W).
func (b *BinConv) Forward(x *nn.T) *nn.T {
	b.latent = append(b.latent[:0], b.Wt.W...)
	for i, v := range b.latent {
		b.Wt.W[i] = signOf(v)
	}
	y := b.Conv2D.Forward(x)
	copy(b.Wt.W, b.latent)
	return y
}

// Backward returns dx; weight gradients pass straight through |W| <= 1.
func (b *BinConv) Backward(dy *nn.T) *nn.T {
	for i, v := range b.latent {
		b.Wt.W[i] = signOf(v)
	}
	before := append([]float32(nil), b.Wt.G...)
	dx := b.Conv2D.Backward(dy)
	copy(b.Wt.W, b.latent)
	for i, v := range b.latent {
		if v < -1 || v > 1 {
			b.Wt.G[i] = before[i]
		}
	}
	clear(b.B.G) // no bias: the batch norm has one
	return dx
}

// BinaryNet is the 1-bit MNIST classifier: an 8-bit first conv, three
// binary convs (1-bit weights and activations), an 8-bit linear layer.
//
//	conv 1->32 (28x28) BN sign; bconv 32->64 s2 (14) BN sign;
//	bconv 64->64 (14) BN sign; bconv 64->128 s2 (7) BN sign; linear 6272->10
type BinaryNet struct {
	C1         *nn.Conv2D
	B2, B3, B4 *BinConv
	N1, N2, N3 *BatchNorm
	N4         *BatchNorm
	S1, S2, S3 SignSTE
	S4         SignSTE
	L5         *nn.Linear
	feats      *nn.T
	extra      [4]*nn.T // regularizer gradients of the current step
}

// NewBinaryNet builds the network with seeded weights.
func NewBinaryNet(seed uint64) *BinaryNet {
	r := rand.New(rand.NewPCG(seed, 0xb1))
	return &BinaryNet{
		C1: nn.NewConv2D(r, "conv1", 1, 32, 3, 1, 1), N1: NewBatchNorm("bn1", 32),
		B2: NewBinConv(r, "bconv2", 32, 64, 2), N2: NewBatchNorm("bn2", 64),
		B3: NewBinConv(r, "bconv3", 64, 64, 1), N3: NewBatchNorm("bn3", 64),
		B4: NewBinConv(r, "bconv4", 64, 128, 2), N4: NewBatchNorm("bn4", 128),
		L5: nn.NewLinear(r, "fc", 128*7*7, 10, 0.5),
	}
}

// Params lists the trainable tensors.
func (n *BinaryNet) Params() []*nn.Param {
	return nn.ConcatParams(n.C1.Params(), n.N1.Params(), n.B2.Params(), n.N2.Params(),
		n.B3.Params(), n.N3.Params(), n.B4.Params(), n.N4.Params(), n.L5.Params())
}

// SetTrain switches the batch norms between batch and running statistics.
func (n *BinaryNet) SetTrain(on bool) {
	for _, b := range []*BatchNorm{n.N1, n.N2, n.N3, n.N4} {
		b.Train = on
	}
}

// Forward returns logits for images x [B,1,28,28] scaled to [0,1]
// (pixel/255, so that zero padding is background).
func (n *BinaryNet) Forward(x *nn.T) (*nn.T, error) {
	if x.C != 1 || x.H != 28 || x.W != 28 {
		return nil, fmt.Errorf("binary net: input %s, want [B 1 28 28]", x.Shape())
	}
	h := n.S1.Forward(n.N1.Forward(n.C1.Forward(x)))
	h = n.S2.Forward(n.N2.Forward(n.B2.Forward(h)))
	h = n.S3.Forward(n.N3.Forward(n.B3.Forward(h)))
	h = n.S4.Forward(n.N4.Forward(n.B4.Forward(h)))
	n.feats = h
	return n.L5.Forward(&nn.T{B: h.B, C: h.C * h.H * h.W, H: 1, W: 1, D: h.D}), nil
}

// Backward back-propagates dlogits.
func (n *BinaryNet) Backward(d *nn.T) { n.BackwardWith(d, [4]*nn.T{}) }

// PreSign returns the inputs of the four sign layers in the last Forward
// (the latent full-precision activations a_F; a_B = sign(a_F)):
// [B,32,28,28], [B,64,14,14], [B,64,14,14], [B,128,7,7].
func (n *BinaryNet) PreSign() [4]*nn.T { return [4]*nn.T{n.S1.x, n.S2.x, n.S3.x, n.S4.x} }

// BackwardWith back-propagates dlogits plus extra gradients with respect
// to the pre-sign activations (nil entries add nothing).
func (n *BinaryNet) BackwardWith(d *nn.T, extra [4]*nn.T) {
	add := func(g *nn.T, i int) *nn.T {
		if extra[i] != nil {
			nn.AddInto(g, extra[i])
		}
		return g
	}
	dh := n.L5.Backward(d)
	dh = &nn.T{B: dh.B, C: 128, H: 7, W: 7, D: dh.D}
	dh = n.B4.Backward(n.N4.Backward(add(n.S4.Backward(dh), 3)))
	dh = n.B3.Backward(n.N3.Backward(add(n.S3.Backward(dh), 2)))
	dh = n.B2.Backward(n.N2.Backward(add(n.S2.Backward(dh), 1)))
	n.C1.Backward(n.N1.Backward(add(n.S1.Backward(dh), 0)))
}

// ClipLatent keeps latent binary weights in [-1, 1] after an update.
func (n *BinaryNet) ClipLatent() {
	for _, b := range []*BinConv{n.B2, n.B3, n.B4} {
		for i, v := range b.Wt.W {
			b.Wt.W[i] = max(-1, min(1, v))
		}
	}
}
