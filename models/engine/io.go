package engine

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"

	"github.com/qdiff/qdiff/kernels"
	"github.com/qdiff/qdiff/models/st"
)

// Limits of a Config: far above the MNIST net (EmbDim 256, TimeDim 64,
// 10 classes, channels 32/64/128), low enough that New's allocations and
// every activation stay a few megabytes, whatever a file claims.
const (
	maxCh      = 1 << 11
	maxEmbDim  = 1 << 12
	maxTimeDim = 1 << 12
	maxClasses = 1 << 10
)

// check reports the first field of c outside what the engine runs.
func (c Config) check() error {
	c0, c1, c2 := c.Ch[0], c.Ch[1], c.Ch[2]
	switch {
	case c.Size != 28:
		return fmt.Errorf("Size %d: the engine runs 28x28 images", c.Size)
	case c.EmbDim < 1 || c.EmbDim > maxEmbDim:
		return fmt.Errorf("EmbDim %d outside 1..%d", c.EmbDim, maxEmbDim)
	case c.TimeDim < 2 || c.TimeDim > maxTimeDim:
		return fmt.Errorf("TimeDim %d outside 2..%d", c.TimeDim, maxTimeDim)
	case c.Classes < 1 || c.Classes > maxClasses:
		return fmt.Errorf("Classes %d outside 1..%d", c.Classes, maxClasses)
	case min(c0, c1, c2) < 1 || max(c0, c1, c2) > maxCh:
		return fmt.Errorf("Ch %v outside 1..%d", c.Ch, maxCh)
	case c.Groups < 1 || c0%c.Groups != 0 || c1%c.Groups != 0 || c2%c.Groups != 0:
		return fmt.Errorf("Groups %d does not divide Ch %v", c.Groups, c.Ch)
	}
	return nil
}

// New builds an empty net of the given configuration: every layer with its
// name and geometry, no weights. Decode fills it.
func New(cfg Config) (*Net, error) {
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("engine: unsupported config: %w", err)
	}
	c0, c1, c2 := cfg.Ch[0], cfg.Ch[1], cfg.Ch[2]
	e := cfg.EmbDim
	conv := func(name string, cin, cout, k, s int) *Conv {
		return &Conv{Name: name, Cin: cin, Cout: cout, KSize: k, Stride: s}
	}
	gn := func(ch int) GN { return GN{Groups: cfg.Groups, Gamma: make([]float32, ch), Beta: make([]float32, ch)} }
	res := func(name string, cin, cout int) *Res {
		r := &Res{N1: gn(cin), N2: gn(cout), C1: conv(name+".conv1", cin, cout, 3, 1),
			Emb: conv(name+".emb", e, cout, 1, 1), C2: conv(name+".conv2", cout, cout, 3, 1)}
		if cin != cout {
			r.Skip = conv(name+".skip", cin, cout, 1, 1)
		}
		return r
	}
	return &Net{Cfg: cfg, Prec: FP32,
		TE1: conv("time.lin1", cfg.TimeDim, e, 1, 1), TE2: conv("time.lin2", e, e, 1, 1),
		Class: make([]float32, (cfg.Classes+1)*e),
		In:    conv("in", 1, c0, 3, 1),
		D0:    res("down0", c0, c0), Ds0: conv("down0.ds", c0, c0, 3, 2),
		D1: res("down1", c0, c1), Ds1: conv("down1.ds", c1, c1, 3, 2),
		M1: res("mid1", c1, c2),
		MA: &Attn{N: gn(c2), QKV: conv("mid.attn.qkv", c2, 3*c2, 1, 1), Proj: conv("mid.attn.proj", c2, c2, 1, 1), C: c2},
		M2: res("mid2", c2, c2), U1: res("up1", c2+c1, c1), U0: res("up0", c1+c0, c0),
		NOut: gn(c0), Out: conv("out", c0, 1, 3, 1)}, nil
}

// norms lists the GroupNorms with their tensor names.
func (n *Net) norms() map[string]*GN {
	m := map[string]*GN{"mid.attn.norm": &n.MA.N, "out.norm": &n.NOut}
	for name, r := range map[string]*Res{"down0": n.D0, "down1": n.D1, "mid1": n.M1, "mid2": n.M2, "up1": n.U1, "up0": n.U0} {
		m[name+".norm1"], m[name+".norm2"] = &r.N1, &r.N2
	}
	return m
}

func f32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func i8Bytes(v []int8) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		b[i] = byte(x)
	}
	return b
}

// Encode returns the net as safetensors tensors and metadata (see
// models/FORMAT.md): FP32 weights for an FP32 net, else int8 or packed
// 4-bit weights with per-channel scales and activation quantizers, the
// biases, scales, norms and class table as F16 (call RoundParamsF16
// first: a value binary16 does not hold is an error).
func (n *Net) Encode(meta map[string]string) ([]byte, error) {
	cfg := n.Cfg.json()
	m := map[string]string{"qdiff.kind": "model", "qdiff.model": "unet-ddpm", "qdiff.precision": n.Prec.String(),
		"qdiff.engine_config": string(cfg)}
	for k, v := range meta {
		m[k] = v
	}
	// quantized nets keep their per-channel float parameters as F16
	// (RoundParamsF16 made them exact); FP32 nets stay F32
	var err error
	param := func(name string, shape []int, v []float32) st.Tensor {
		if n.Prec == FP32 || err != nil {
			return st.F32Tensor(name, shape, v)
		}
		t, e := st.F16Tensor(name, shape, v)
		if e != nil {
			err = fmt.Errorf("engine: %w (quantized nets need RoundParamsF16)", e)
		}
		return t
	}
	ts := []st.Tensor{param("class", []int{n.Cfg.Classes + 1, n.Cfg.EmbDim}, n.Class)}
	for name, g := range sortedNorms(n) {
		ts = append(ts, param(name+".gamma", []int{len(g.Gamma)}, g.Gamma), param(name+".beta", []int{len(g.Beta)}, g.Beta))
	}
	for _, c := range n.Convs() {
		ts = append(ts, param(c.Name+".b", []int{c.Cout}, c.Bias))
		switch {
		case n.Prec == FP32:
			ts = append(ts, st.F32Tensor(c.Name+".w", []int{c.K(), c.Cout}, c.WF))
		case n.Prec == W4A8 && c.Q4 != nil:
			ts = append(ts, st.Tensor{Name: c.Name + ".q4", DType: "U8", Shape: []int{c.Cout, c.Q4.KP() / 2}, Data: append([]byte(nil), c.Q4.Data...)},
				param(c.Name+".wscale", []int{c.Cout}, c.Q4.Scale))
		case c.Q8 != nil:
			ts = append(ts, st.Tensor{Name: c.Name + ".q8", DType: "I8", Shape: []int{c.Cout, c.K()}, Data: i8Bytes(c.Q8.Data)},
				param(c.Name+".wscale", []int{c.Cout}, c.Q8.Scale))
		default:
			return nil, fmt.Errorf("engine: %s has no %v weights", c.Name, n.Prec)
		}
		if n.Prec != FP32 {
			ts = append(ts, st.F32Tensor(c.Name+".act", []int{2}, []float32{c.In.Scale, float32(c.In.Zero)}))
		}
	}
	if err != nil {
		return nil, err
	}
	if n.Prec != FP32 {
		a := n.MA
		ts = append(ts, st.F32Tensor("mid.attn.qparams", []int{4}, []float32{a.Q.Scale, a.K.Scale, a.V.Scale, a.P.Scale}))
	}
	return st.Encode(m, ts)
}

func sortedNorms(n *Net) func(func(string, *GN) bool) {
	return func(yield func(string, *GN) bool) {
		m := n.norms()
		for _, name := range []string{"down0.norm1", "down0.norm2", "down1.norm1", "down1.norm2", "mid1.norm1", "mid1.norm2",
			"mid.attn.norm", "mid2.norm1", "mid2.norm2", "up1.norm1", "up1.norm2", "up0.norm1", "up0.norm2", "out.norm"} {
			if !yield(name, m[name]) {
				return
			}
		}
	}
}

// Decode reads a net written by Encode, checking every tensor's dtype and
// exact shape. The configuration is bounded (Config.check) and the class
// table, the one allocation that grows with two fields at once, must be in
// the file at its full shape before anything is allocated for it.
func Decode(b []byte) (*Net, error) {
	f, err := st.Decode(b)
	if err != nil {
		return nil, err
	}
	if f.Meta["qdiff.model"] != "unet-ddpm" {
		return nil, fmt.Errorf("engine: not a qdiff U-Net (qdiff.model = %q)", st.Clip(f.Meta["qdiff.model"]))
	}
	cfg, err := parseConfig(f.Meta["qdiff.engine_config"])
	if err != nil {
		return nil, fmt.Errorf("engine: qdiff.engine_config: %w", err)
	}
	if err := cfg.check(); err != nil {
		return nil, fmt.Errorf("engine: qdiff.engine_config: %w", err)
	}
	prec, err := ParsePrecision(f.Meta["qdiff.precision"])
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	if _, err := f.Want("class", []int{cfg.Classes + 1, cfg.EmbDim}, "F32", "F16"); err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	n, err := New(cfg)
	if err != nil {
		return nil, err
	}
	n.Prec = prec
	floats := func(name string, shape ...int) ([]float32, error) {
		v, err := f.WantFloats(name, shape...)
		if err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		return v, nil
	}
	if n.Class, err = floats("class", cfg.Classes+1, cfg.EmbDim); err != nil {
		return nil, err
	}
	for name, g := range sortedNorms(n) {
		if g.Gamma, err = floats(name+".gamma", len(g.Gamma)); err != nil {
			return nil, err
		}
		if g.Beta, err = floats(name+".beta", len(g.Beta)); err != nil {
			return nil, err
		}
	}
	for _, c := range n.Convs() {
		if c.Bias, err = floats(c.Name+".b", c.Cout); err != nil {
			return nil, err
		}
		if prec == FP32 {
			if c.WF, err = floats(c.Name+".w", c.K(), c.Cout); err != nil {
				return nil, err
			}
			continue
		}
		sc, err := floats(c.Name+".wscale", c.Cout)
		if err != nil {
			return nil, err
		}
		if _, has8 := f.Get(c.Name + ".q8"); prec == W4A8 && !has8 {
			q := &kernels.Q4Matrix{N: c.Cout, K: c.K(), Scale: sc}
			t, err := f.Want(c.Name+".q4", []int{c.Cout, q.KP() / 2}, "U8")
			if err != nil {
				return nil, fmt.Errorf("engine: %w", err)
			}
			q4, err := kernels.PackQ4(c.Cout, c.K(), (&kernels.Q4Matrix{N: c.Cout, K: c.K(), Data: t.Data}).Unpack(), sc)
			if err != nil {
				return nil, fmt.Errorf("engine: %s: %w", c.Name, err)
			}
			q4.Prepare()
			c.Q4 = q4
		} else {
			if _, has4 := f.Get(c.Name + ".q4"); has4 {
				return nil, fmt.Errorf("engine: %s has both %s.q4 and %s.q8 weights", c.Name, c.Name, c.Name)
			}
			t, err := f.Want(c.Name+".q8", []int{c.Cout, c.K()}, "I8")
			if err != nil {
				return nil, fmt.Errorf("engine: %w", err)
			}
			wt := make([]int8, len(t.Data))
			for i, v := range t.Data {
				wt[i] = int8(v)
			}
			if c.Q8, err = kernels.NewQ8Matrix(c.Cout, c.K(), wt, sc); err != nil {
				return nil, fmt.Errorf("engine: %s: %w", c.Name, err)
			}
			c.Q8.Prepare()
		}
		act, err := floats(c.Name+".act", 2)
		if err != nil {
			return nil, err
		}
		if !(act[0] > 0) || act[1] < -128 || act[1] > 127 || act[1] != float32(int32(act[1])) {
			return nil, fmt.Errorf("engine: %s.act: bad quantizer %v", c.Name, act)
		}
		c.In = QParam{Scale: act[0], Zero: int32(act[1])}
	}
	if prec != FP32 {
		qp, err := floats("mid.attn.qparams", 4)
		if err != nil {
			return nil, err
		}
		for i, v := range qp {
			if !(v > 0) {
				return nil, fmt.Errorf("engine: mid.attn.qparams[%d] = %v: attention scales must be positive", i, v)
			}
		}
		a := n.MA
		a.Q, a.K, a.V, a.P = QParam{Scale: qp[0]}, QParam{Scale: qp[1]}, QParam{Scale: qp[2]}, QParam{Scale: qp[3]}
	}
	return n, nil
}

// json writes the config as the JSON object of qdiff.engine_config.
func (c Config) json() []byte {
	return fmt.Appendf(nil, `{"Size":%d,"EmbDim":%d,"TimeDim":%d,"Classes":%d,"Groups":%d,"Ch":[%d,%d,%d]}`,
		c.Size, c.EmbDim, c.TimeDim, c.Classes, c.Groups, c.Ch[0], c.Ch[1], c.Ch[2])
}

// parseConfig reads qdiff.engine_config (every field required).
func parseConfig(s string) (Config, error) {
	var c Config
	v, err := st.ParseJSON([]byte(s))
	if err != nil {
		return c, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return c, fmt.Errorf("not an object")
	}
	for name, dst := range map[string]*int{"Size": &c.Size, "EmbDim": &c.EmbDim, "TimeDim": &c.TimeDim, "Classes": &c.Classes, "Groups": &c.Groups} {
		if *dst, ok = st.JSONInt(m[name]); !ok {
			return c, fmt.Errorf("%s is missing or not a whole number", name)
		}
	}
	ch, ok := m["Ch"].([]any)
	if !ok || len(ch) != 3 {
		return c, fmt.Errorf("Ch is not a list of 3 channel counts")
	}
	for i, x := range ch {
		if c.Ch[i], ok = st.JSONInt(x); !ok {
			return c, fmt.Errorf("Ch[%d] is not a whole number", i)
		}
	}
	return c, nil
}

// RoundParamsF16 rounds the per-channel float parameters a quantized net
// stores as F16 (class table, group-norm gains and shifts, biases, weight
// scales) to their nearest binary16 values, so that the net in memory is
// the one its file holds. It replaces the slices rather than writing into
// them (a Clone shares them with its original). Activation quantizers
// stay float32.
func (n *Net) RoundParamsF16() {
	rounded := func(v []float32) []float32 {
		w := slices.Clone(v)
		st.RoundF16(w)
		return w
	}
	n.Class = rounded(n.Class)
	for _, g := range sortedNorms(n) {
		g.Gamma, g.Beta = rounded(g.Gamma), rounded(g.Beta)
	}
	for _, c := range n.Convs() {
		c.Bias = rounded(c.Bias)
		if c.Q8 != nil {
			q := *c.Q8
			q.Scale = rounded(q.Scale)
			c.Q8 = &q
		}
		if c.Q4 != nil {
			q := *c.Q4
			q.Scale = rounded(q.Scale)
			c.Q4 = &q
		}
	}
}
