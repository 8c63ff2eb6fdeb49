package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/qdiff/qdiff/kernels"
)

// Config mirrors unet.UNetConfig.
type Config struct {
	Size, EmbDim, TimeDim, Classes, Groups int
	Ch                                     [3]int
}

// Res is a residual block (see nn.ResBlock).
type Res struct {
	N1, N2      GN
	C1, C2, Emb *Conv
	Skip        *Conv
}

// Attn is single-head self-attention with a residual (see nn.Attention).
// Q, K, V and P are the 8-bit quantizers of the two attention products'
// operands (symmetric; P in [0,1]).
type Attn struct {
	N          GN
	QKV, Proj  *Conv
	C          int
	Q, K, V, P QParam
}

// Net is the U-Net in inference form.
type Net struct {
	Cfg      Config
	Prec     Precision
	TE1, TE2 *Conv
	Class    []float32 // [Classes+1, EmbDim]
	In       *Conv
	D0, D1   *Res
	Ds0, Ds1 *Conv
	M1, M2   *Res
	MA       *Attn
	U1, U0   *Res
	NOut     GN
	Out      *Conv
	// Observe, if set, sees the float input [h, w, channels] of every
	// conv/linear layer (before quantization) and the operands of the
	// attention products, by layer name; calibration collects activations
	// through it.
	Observe func(name string, x []float32, h, w int)
	// Prof, if set, accumulates the time spent in each kind of work.
	Prof *Profile
	scr  scratch
}

// Convs lists every conv/linear layer in a fixed order.
func (n *Net) Convs() []*Conv {
	cs := []*Conv{n.TE1, n.TE2, n.In}
	for _, r := range []*Res{n.D0} {
		cs = append(cs, r.convs()...)
	}
	cs = append(cs, n.Ds0)
	cs = append(cs, n.D1.convs()...)
	cs = append(cs, n.Ds1)
	cs = append(cs, n.M1.convs()...)
	cs = append(cs, n.MA.QKV, n.MA.Proj)
	for _, r := range []*Res{n.M2, n.U1, n.U0} {
		cs = append(cs, r.convs()...)
	}
	return append(cs, n.Out)
}

func (r *Res) convs() []*Conv {
	cs := []*Conv{r.C1, r.Emb, r.C2}
	if r.Skip != nil {
		cs = append(cs, r.Skip)
	}
	return cs
}

// Forward predicts the noise of one image x [Size*Size] at time step t
// with label (Classes = unconditional).
func (n *Net) Forward(x []float32, t float64, label int) ([]float32, error) {
	out, err := n.forward(x, t, label)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// forward predicts the noise of x at t for each label; the time
// embedding and the input conv, which do not depend on the label, run
// once for all of them (the same bits as one Forward per label).
func (n *Net) forward(x []float32, t float64, labels ...int) ([][]float32, error) {
	s := n.Cfg.Size
	if len(x) != s*s {
		return nil, fmt.Errorf("engine: input of %d values, want %d", len(x), s*s)
	}
	for _, label := range labels {
		if label < 0 || label > n.Cfg.Classes {
			return nil, fmt.Errorf("engine: label %d outside [0, %d]", label, n.Cfg.Classes)
		}
	}
	if t < 0 || t > 1e4 || math.IsNaN(t) {
		return nil, fmt.Errorf("engine: time step %v out of range", t)
	}
	n.scr.next = 0
	if n.Prof != nil {
		n.Prof.Forwards += len(labels)
		defer n.chargeRest(time.Now(), n.Prof.D)
	}
	te, _, _, err := n.TE1.apply(n, timeEmbedding(t, n.Cfg.TimeDim), 1, 1)
	if err != nil {
		return nil, err
	}
	if te, _, _, err = n.TE2.apply(n, n.silu(te), 1, 1); err != nil {
		return nil, err
	}
	hin, hh, ww, err := n.In.apply(n, x, s, s)
	if err != nil {
		return nil, err
	}
	outs := make([][]float32, len(labels))
	for i, label := range labels {
		out, err := n.forwardLabel(te, hin, hh, ww, label)
		if err != nil {
			return nil, err
		}
		outs[i] = append([]float32(nil), out...) // the arena is reused by the next call
	}
	return outs, nil
}

// forwardLabel runs the rest of the U-Net for one label from the time
// embedding te and the input conv's output h [hh, ww, Ch[0]], which it
// leaves unchanged.
func (n *Net) forwardLabel(te, h []float32, hh, ww, label int) ([]float32, error) {
	d := n.Cfg.EmbDim
	e := n.buf(d)
	kernels.Add(te, n.Class[label*d:(label+1)*d], e)
	se := n.silu(e)
	var h0, h1 []float32
	var err error
	if h0, err = n.D0.apply(n, h, se, hh, ww); err != nil {
		return nil, err
	}
	if h, hh, ww, err = n.Ds0.apply(n, h0, hh, ww); err != nil {
		return nil, err
	}
	if h1, err = n.D1.apply(n, h, se, hh, ww); err != nil {
		return nil, err
	}
	h1h, h1w := hh, ww
	if h, hh, ww, err = n.Ds1.apply(n, h1, hh, ww); err != nil {
		return nil, err
	}
	if h, err = n.M1.apply(n, h, se, hh, ww); err != nil {
		return nil, err
	}
	if h, err = n.MA.apply(n, h, hh*ww); err != nil {
		return nil, err
	}
	if h, err = n.M2.apply(n, h, se, hh, ww); err != nil {
		return nil, err
	}
	if h, hh, ww, err = n.upConcat(h, h1, hh, ww, n.M2.C2.Cout, n.D1.C2.Cout); err != nil {
		return nil, err
	}
	if hh != h1h || ww != h1w {
		return nil, fmt.Errorf("engine: skip sizes differ")
	}
	if h, err = n.U1.apply(n, h, se, hh, ww); err != nil {
		return nil, err
	}
	if h, hh, ww, err = n.upConcat(h, h0, hh, ww, n.U1.C2.Cout, n.D0.C2.Cout); err != nil {
		return nil, err
	}
	if h, err = n.U0.apply(n, h, se, hh, ww); err != nil {
		return nil, err
	}
	if h, err = n.NOut.applySiLU(n, h, hh*ww); err != nil {
		return nil, err
	}
	out, _, _, err := n.Out.apply(n, h, hh, ww)
	return out, err
}

func (n *Net) upConcat(h, skip []float32, hh, ww, ch, cs int) ([]float32, int, int, error) {
	up := n.buf(4 * len(h))
	if err := kernels.Upsample2xNHWC(hh, ww, ch, h, up); err != nil {
		return nil, 0, 0, err
	}
	y := n.buf(4 * hh * ww * (ch + cs))
	if err := kernels.ConcatNHWC(4*hh*ww, ch, cs, up, skip, y); err != nil {
		return nil, 0, 0, err
	}
	return y, 2 * hh, 2 * ww, nil
}

func (r *Res) apply(n *Net, x, se []float32, hh, ww int) ([]float32, error) {
	hw := hh * ww
	g, err := r.N1.applySiLU(n, x, hw)
	if err != nil {
		return nil, err
	}
	h, _, _, err := r.C1.apply(n, g, hh, ww)
	if err != nil {
		return nil, err
	}
	e, _, _, err := r.Emb.apply(n, se, 1, 1)
	if err != nil {
		return nil, err
	}
	for p := 0; p < hw; p++ {
		kernels.Add(h[p*r.C1.Cout:(p+1)*r.C1.Cout], e, h[p*r.C1.Cout:(p+1)*r.C1.Cout])
	}
	if g, err = r.N2.applySiLU(n, h, hw); err != nil {
		return nil, err
	}
	if h, _, _, err = r.C2.apply(n, g, hh, ww); err != nil {
		return nil, err
	}
	skip := x
	if r.Skip != nil {
		if skip, _, _, err = r.Skip.apply(n, x, hh, ww); err != nil {
			return nil, err
		}
	}
	kernels.Add(h, skip, h)
	return h, nil
}

func (a *Attn) apply(n *Net, x []float32, tokens int) ([]float32, error) {
	g, err := a.N.apply(n, x, tokens)
	if err != nil {
		return nil, err
	}
	qkv, _, _, err := a.QKV.apply(n, g, tokens, 1)
	if err != nil {
		return nil, err
	}
	c := a.C
	q, k, v := n.buf(tokens*c), n.buf(tokens*c), n.buf(c*tokens)
	for i := 0; i < tokens; i++ {
		copy(q[i*c:(i+1)*c], qkv[i*3*c:i*3*c+c])
		copy(k[i*c:(i+1)*c], qkv[i*3*c+c:i*3*c+2*c])
		for ch := 0; ch < c; ch++ {
			v[ch*tokens+i] = qkv[i*3*c+2*c+ch] // V^T [C, tokens]
		}
	}
	t0 := n.mark()
	scale := float32(1 / math.Sqrt(float64(c)))
	s := n.buf(tokens * tokens)
	if n.Observe != nil {
		n.Observe(a.QKV.Name+".q", q, tokens, 1)
		n.Observe(a.QKV.Name+".k", k, tokens, 1)
		n.Observe(a.QKV.Name+".v", v, c, 1)
	}
	// S[i,j] = scale * q_i . k_j
	if err := n.matmul(tokens, tokens, c, q, a.Q, k, a.K, s); err != nil {
		return nil, err
	}
	for i := range s {
		s[i] *= scale
	}
	if err := kernels.Softmax(tokens, tokens, s); err != nil {
		return nil, err
	}
	if n.Observe != nil {
		n.Observe(a.QKV.Name+".p", s, tokens, 1)
	}
	// O[i,c] = sum_j P[i,j] V[j,c]
	o := n.buf(tokens * c)
	if err := n.matmul(tokens, c, tokens, s, a.P, v, a.V, o); err != nil {
		return nil, err
	}
	n.charge(OpAttn, t0)
	y, _, _, err := a.Proj.apply(n, o, tokens, 1)
	if err != nil {
		return nil, err
	}
	kernels.Add(y, x, y)
	return y, nil
}

// matmul computes out[M,N] = A[M,K] x B^T for B given as [N,K], in float32
// or, for quantized nets, on 8-bit symmetric operands with int32 sums.
func (n *Net) matmul(m, nn, k int, a []float32, qa QParam, bt []float32, qb QParam, out []float32) error {
	if n.Prec == FP32 || qa.Scale == 0 || qb.Scale == 0 {
		return kernels.GemmF32T(false, true, m, nn, k, a, bt, out, false)
	}
	aq, bq := make([]int8, m*k), make([]int8, nn*k)
	if err := kernels.Quantize(a, qa.Scale, 0, aq); err != nil {
		return err
	}
	if err := kernels.Quantize(bt, qb.Scale, 0, bq); err != nil {
		return err
	}
	for i, v := range bq {
		if v == -128 {
			bq[i] = -127 // the "weight" operand stays symmetric
		}
	}
	acc := make([]int32, m*nn)
	if err := kernels.GemmI8Acc(m, nn, k, aq, bq, acc); err != nil {
		return err
	}
	s := qa.Scale * qb.Scale
	for i, v := range acc {
		out[i] = float32(v) * s
	}
	return nil
}
