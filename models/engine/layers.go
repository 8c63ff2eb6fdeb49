package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/qdiff/qdiff/kernels"
)

// Precision selects the arithmetic of conv and linear layers.
type Precision int

// Precisions. Values are part of the weights format; retired values are
// never reused.
const (
	FP32 Precision = 1
	W8A8 Precision = 2
	W4A8 Precision = 3
)

func (p Precision) String() string {
	switch p {
	case FP32:
		return "fp32"
	case W8A8:
		return "w8a8"
	case W4A8:
		return "w4a8"
	}
	return fmt.Sprintf("precision(%d)", int(p))
}

// ParsePrecision reads "fp32", "w8a8" or "w4a8".
func ParsePrecision(s string) (Precision, error) {
	for _, p := range []Precision{FP32, W8A8, W4A8} {
		if p.String() == s {
			return p, nil
		}
	}
	return 0, fmt.Errorf("unknown precision %q (want fp32, w8a8 or w4a8)", s)
}

// QParam is an 8-bit activation quantizer: q = clamp(round(x/Scale)+Zero).
type QParam struct {
	Scale float32
	Zero  int32
}

// Conv is a KxK convolution (padding K/2) or, on a 1x1 image, a linear
// layer, with FP32 weights WF[K, Cout] (K ordered kh, kw, cin) and, once
// quantized, Q8 or Q4 weights and the input quantizer In.
type Conv struct {
	Name                     string
	Cin, Cout, KSize, Stride int
	WF                       []float32 // [KSize*KSize*Cin, Cout]
	Bias                     []float32
	Q8                       *kernels.Q8Matrix
	Q4                       *kernels.Q4Matrix
	In                       QParam
}

// K is the reduction length.
func (c *Conv) K() int { return c.KSize * c.KSize * c.Cin }

func (c *Conv) shape(h, w int) kernels.ConvShape {
	return kernels.ConvShape{H: h, W: w, Cin: c.Cin, Cout: c.Cout, KSize: c.KSize, Stride: c.Stride}
}

// scratch holds per-net reusable buffers. Activations come from an arena
// of float32 buffers handed out in call order and recycled at the next
// Forward (a forward's calls, and so their sizes, are always the same), so
// a step allocates nothing once warm; in wasm that spares the collector.
type scratch struct {
	col   []float32
	colQ  []int8
	xq    []int8
	acc   []int32
	arena [][]float32
	next  int
}

// buf returns the next arena buffer of n values (contents undefined).
func (n *Net) buf(size int) []float32 {
	sc := &n.scr
	if sc.next == len(sc.arena) {
		sc.arena = append(sc.arena, nil)
	}
	b := grow(sc.arena[sc.next], size)
	sc.arena[sc.next] = b
	sc.next++
	return b
}

func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// apply runs the conv on x [H, W, Cin] into a new [Ho, Wo, Cout] slice.
func (c *Conv) apply(n *Net, x []float32, h, w int) ([]float32, int, int, error) {
	s := c.shape(h, w)
	ho, wo := s.Out()
	out := n.buf(ho * wo * c.Cout)
	if n.Observe != nil {
		n.Observe(c.Name, x[:h*w*c.Cin], h, w)
	}
	sc := &n.scr
	direct := c.KSize == 1 && c.Stride == 1
	t0 := n.mark()
	if n.Prof != nil {
		defer func(start time.Time) {
			n.Prof.layer(c.Name, time.Since(start), 2*float64(s.M()*s.K()*c.Cout))
		}(t0)
	}
	var err error
	switch {
	case n.Prec == FP32 || (c.Q8 == nil && c.Q4 == nil):
		a := x
		if !direct {
			sc.col = grow(sc.col, s.M()*s.K())
			if err := kernels.Im2colF32(s, x, sc.col); err != nil {
				return nil, 0, 0, fmt.Errorf("%s: %w", c.Name, err)
			}
			a = sc.col
			t0 = n.charge(OpIm2col, t0)
		}
		for i := 0; i < ho*wo; i++ {
			copy(out[i*c.Cout:(i+1)*c.Cout], c.Bias)
		}
		err = kernels.GemmF32(s.M(), c.Cout, s.K(), a, c.WF, out, true)
	default:
		sc.xq = grow(sc.xq, h*w*c.Cin)
		if err := kernels.Quantize(x[:h*w*c.Cin], c.In.Scale, c.In.Zero, sc.xq); err != nil {
			return nil, 0, 0, fmt.Errorf("%s: %w", c.Name, err)
		}
		t0 = n.charge(OpQuant, t0)
		if !direct {
			sc.colQ = grow(sc.colQ, s.M()*s.K())
		}
		sc.acc = grow(sc.acc, s.M()*c.Cout)
		// ConvI8/ConvW4 read 3x3 stride-1 convs straight from the image
		// (prepared weights, wasm) and run im2col for the others, so the
		// profile charges both to the conv
		e := &kernels.Epilogue{AScale: c.In.Scale, AZero: c.In.Zero, Bias: c.Bias}
		if n.Prec == W4A8 && c.Q4 != nil {
			err = kernels.ConvW4(s, sc.xq, c.Q4, e, sc.colQ, sc.acc, out, nil)
		} else {
			err = kernels.ConvI8(s, sc.xq, c.Q8, e, sc.colQ, sc.acc, out, nil)
		}
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("%s: %w", c.Name, err)
	}
	n.charge(OpGemm, t0)
	return out, ho, wo, nil
}

// GN is GroupNorm with per-channel gamma and beta.
type GN struct {
	Groups      int
	Gamma, Beta []float32
}

func (g *GN) apply(n *Net, x []float32, hw int) ([]float32, error) {
	t0 := n.mark()
	y := n.buf(len(x))
	if err := kernels.GroupNormNHWC(hw, len(g.Gamma), g.Groups, 1e-5, x, g.Gamma, g.Beta, y); err != nil {
		return nil, err
	}
	n.charge(OpGN, t0)
	return y, nil
}

// applySiLU is silu(g.apply(x)) in one kernel pass (the same bits); the
// profile charges it to group norm.
func (g *GN) applySiLU(n *Net, x []float32, hw int) ([]float32, error) {
	t0 := n.mark()
	y := n.buf(len(x))
	if err := kernels.GroupNormSiLU(hw, len(g.Gamma), g.Groups, 1e-5, x, g.Gamma, g.Beta, y); err != nil {
		return nil, err
	}
	n.charge(OpGN, t0)
	return y, nil
}

func (n *Net) silu(x []float32) []float32 {
	t0 := n.mark()
	y := n.buf(len(x))
	kernels.SiLU(x, y)
	n.charge(OpSiLU, t0)
	return y
}

// timeEmbedding matches nn.TimeEmbedding for one time step.
func timeEmbedding(t float64, dim int) []float32 {
	e := make([]float32, dim)
	half := dim / 2
	for i := 0; i < half; i++ {
		f := math.Exp(-math.Log(10000) * float64(i) / float64(half))
		e[i] = float32(math.Sin(t * f))
		e[half+i] = float32(math.Cos(t * f))
	}
	return e
}

// ApplyFloat runs the conv in float32 with weights w [K, Cout] (c.WF or a
// dequantized copy) on x [h, w, Cin]; calibration uses it.
func (c *Conv) ApplyFloat(x []float32, h, wd int, w []float32) []float32 {
	s := c.shape(h, wd)
	ho, wo := s.Out()
	out := make([]float32, ho*wo*c.Cout)
	a := x
	if !(c.KSize == 1 && c.Stride == 1) {
		a = make([]float32, s.M()*s.K())
		kernels.Im2colF32(s, x, a)
	}
	for i := 0; i < ho*wo; i++ {
		copy(out[i*c.Cout:(i+1)*c.Cout], c.Bias)
	}
	kernels.GemmF32(s.M(), c.Cout, s.K(), a, w, out, true)
	return out
}
