package unet

import (
	"github.com/qdiff/qdiff/models/engine"
	"github.com/qdiff/qdiff/models/nn"
)

// ToEngine converts the U-Net to the FP32 inference engine (NHWC, conv
// weights permuted to [KH*KW*Cin, Cout]).
func (u *UNet) ToEngine() *engine.Net {
	c := u.Cfg
	n := &engine.Net{Prec: engine.FP32,
		Cfg: engine.Config{Size: c.Size, EmbDim: c.EmbDim, TimeDim: c.TimeDim, Classes: c.Classes, Groups: c.Groups, Ch: c.Ch},
		TE1: linToEngine("time.lin1", u.TE1), TE2: linToEngine("time.lin2", u.TE2),
		Class: append([]float32(nil), u.Class.Wt.W...),
		In:    convToEngine("in", u.In),
		D0:    resToEngine("down0", u.D0), Ds0: convToEngine("down0.ds", u.Ds0),
		D1: resToEngine("down1", u.D1), Ds1: convToEngine("down1.ds", u.Ds1),
		M1: resToEngine("mid1", u.M1), M2: resToEngine("mid2", u.M2),
		MA: &engine.Attn{N: gnToEngine(u.MA.Norm), QKV: convToEngine("mid.attn.qkv", u.MA.QKV),
			Proj: convToEngine("mid.attn.proj", u.MA.Proj), C: u.MA.C},
		U1: resToEngine("up1", u.U1), U0: resToEngine("up0", u.U0),
		NOut: gnToEngine(u.NOut), Out: convToEngine("out", u.Out),
	}
	return n
}

func convToEngine(name string, c *nn.Conv2D) *engine.Conv {
	k := c.K
	wf := make([]float32, k*k*c.Cin*c.Cout)
	for co := 0; co < c.Cout; co++ {
		for ci := 0; ci < c.Cin; ci++ {
			for kh := 0; kh < k; kh++ {
				for kw := 0; kw < k; kw++ {
					wf[((kh*k+kw)*c.Cin+ci)*c.Cout+co] = c.Wt.W[((co*c.Cin+ci)*k+kh)*k+kw]
				}
			}
		}
	}
	return &engine.Conv{Name: name, Cin: c.Cin, Cout: c.Cout, KSize: k, Stride: c.Stride,
		WF: wf, Bias: append([]float32(nil), c.B.W...)}
}

func linToEngine(name string, l *nn.Linear) *engine.Conv {
	return &engine.Conv{Name: name, Cin: l.In, Cout: l.Out, KSize: 1, Stride: 1,
		WF: append([]float32(nil), l.Wt.W...), Bias: append([]float32(nil), l.B.W...)}
}

func gnToEngine(g *nn.GroupNorm) engine.GN {
	return engine.GN{Groups: g.G, Gamma: append([]float32(nil), g.Gamma.W...), Beta: append([]float32(nil), g.Beta.W...)}
}

func resToEngine(name string, r *nn.ResBlock) *engine.Res {
	e := &engine.Res{N1: gnToEngine(r.N1), N2: gnToEngine(r.N2),
		C1: convToEngine(name+".conv1", r.C1), C2: convToEngine(name+".conv2", r.C2),
		Emb: linToEngine(name+".emb", r.Emb)}
	if r.Skip != nil {
		e.Skip = convToEngine(name+".skip", r.Skip)
	}
	return e
}
