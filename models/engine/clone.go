package engine

// Clone returns a deep copy of the net's structure sharing no mutable
// state (weights slices are shared: quantization replaces, never edits).
func (n *Net) Clone() *Net {
	c := *n
	c.Observe = nil
	c.scr = scratch{}
	cp := func(x *Conv) *Conv {
		if x == nil {
			return nil
		}
		y := *x
		return &y
	}
	res := func(r *Res) *Res {
		y := *r
		y.C1, y.C2, y.Emb, y.Skip = cp(r.C1), cp(r.C2), cp(r.Emb), cp(r.Skip)
		return &y
	}
	c.TE1, c.TE2, c.In, c.Ds0, c.Ds1, c.Out = cp(n.TE1), cp(n.TE2), cp(n.In), cp(n.Ds0), cp(n.Ds1), cp(n.Out)
	c.D0, c.D1, c.M1, c.M2, c.U1, c.U0 = res(n.D0), res(n.D1), res(n.M1), res(n.M2), res(n.U1), res(n.U0)
	a := *n.MA
	a.QKV, a.Proj = cp(n.MA.QKV), cp(n.MA.Proj)
	c.MA = &a
	return &c
}
