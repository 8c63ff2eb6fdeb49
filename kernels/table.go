package kernels

import (
	"math"
	"math/rand/v2"
)

// Op is one row of the kernel table that drives the tests (native, wasm
// under wazero, and native-vs-wasm differential) and the benchmarks:
// adding a kernel is adding a row.
type Op struct {
	Name string   // op name, as in Variants
	Dims []string // meaning of each dimension
	// Tile is the SIMD tile per dimension; Sweep visits 1, tile-1, tile,
	// tile+1 and 2*tile+1 for each.
	Tile []int
	// Tol is the float tolerance |fast-ref| <= Tol*(1+|ref|); 0 = exact.
	Tol   float64
	Bench [][]int               // benchmark shapes
	Ops   func(d []int) float64 // arithmetic operations per call (2 per multiply-add)
	// Gen makes a case: inputs drawn from r for dims d.
	Gen func(r *rand.Rand, d []int) Case
	// Random draws dims for a random case.
	Random func(r *rand.Rand) []int
	// Shapes, when set, replaces the sweep around the tile.
	Shapes [][]int
}

// Case is one kernel invocation with its inputs and output buffers
// allocated once, so that benchmarks time the kernel alone.
type Case struct {
	// Run runs the reference (fast=false) or the fastest variant built
	// (fast=true) into the output buffers.
	Run func(fast bool)
	// Out returns the last run's output as float64s (integers exactly).
	Out func() []float64
}

// Result runs the case once and returns its output.
func (c Case) Result(fast bool) []float64 {
	c.Run(fast)
	return c.Out()
}

// Named tolerances of float kernels (relative to 1+|ref|).
const (
	TolGemmF32 = 1e-5 // summation order differs between variants
	TolSiLU    = 0    // exact: the reference computes ExpF32 operation for operation
	TolAdd     = 0    // exact: one IEEE add
	// TolGroupNorm is 0: variants share the float64 statistics and repeat
	// the reference's float32 operations in order.
	TolGroupNorm = 0
)

// Table lists every kernel op.
var Table = []Op{
	{Name: "gemm_i8", Dims: []string{"M", "N", "K"}, Tile: []int{2, 2, 32},
		Bench: [][]int{{784, 64, 288}, {196, 64, 576}},
		Ops:   gemmOps, Gen: genGemmI8, Random: randGemm},
	{Name: "gemm_w4", Dims: []string{"M", "N", "K"}, Tile: []int{2, 2, 32},
		Bench: [][]int{{784, 64, 288}, {196, 64, 576}},
		Ops:   gemmOps, Gen: genGemmW4, Random: randGemm},
	{Name: "gemm_i8p", Dims: []string{"M", "N", "K"}, Tile: []int{4, PanelN, PanelK},
		Bench: [][]int{{784, 64, 288}, {196, 64, 576}, {49, 128, 1152}},
		Ops:   gemmOps, Gen: genGemmI8P, Random: randGemm},
	{Name: "gemm_w4p", Dims: []string{"M", "N", "K"}, Tile: []int{4, PanelN, PanelK},
		Bench: [][]int{{784, 64, 288}},
		Ops:   gemmOps, Gen: genGemmW4P, Random: randGemm},
	{Name: "gemm_b1", Dims: []string{"M", "N", "K"}, Tile: []int{2, 2, 128},
		Bench: [][]int{{784, 64, 288}, {196, 64, 576}},
		Ops:   gemmOps, Gen: genGemmB1, Random: randGemm},
	{Name: "gemm_b1i8", Dims: []string{"M", "N", "K"}, Tile: []int{1, 12, 16},
		Bench: [][]int{{1, 10, 6272}},
		Ops:   gemmOps, Gen: genGemmB1I8, Random: randGemm},
	{Name: "gemm_f32", Dims: []string{"M", "N", "K"}, Tile: []int{4, 16, 8}, Tol: TolGemmF32,
		Bench: [][]int{{784, 64, 288}, {196, 64, 576}},
		Ops:   gemmOps, Gen: genGemmF32, Random: randGemm},
	{Name: "gemm_f32t", Dims: []string{"M", "N", "K", "Trans"}, Tol: TolGemmF32,
		Shapes: gemmF32TSweep, Bench: [][]int{{49, 49, 128, 2}, {49, 128, 49, 2}},
		Ops: gemmOps, Gen: genGemmF32T, Random: func(r *rand.Rand) []int {
			return []int{1 + r.IntN(20), 1 + r.IntN(20), 1 + r.IntN(40), r.IntN(4)}
		}},
	{Name: "conv_i8", Dims: []string{"H", "W", "Cin", "Cout", "KSize", "Stride"},
		Bench: unetConvs,
		Ops:   convOps, Gen: genConvI8, Random: randConv},
	{Name: "conv_i8u", Dims: []string{"H", "W", "Cin", "Cout", "KSize", "Stride"},
		Bench: [][]int{{28, 28, 32, 32, 3, 1}},
		Ops:   convOps, Gen: genConvI8U, Random: randConv},
	{Name: "conv_i8p", Dims: []string{"H", "W", "Cin", "Cout", "KSize", "Stride"},
		Bench: unetConvs,
		Ops:   convOps, Gen: genConvI8P, Shapes: convPanelSweep, Random: func(r *rand.Rand) []int {
			return []int{1 + r.IntN(10), 1 + r.IntN(10), 4 * (1 + r.IntN(8)), 1 + r.IntN(20), 3, 1}
		}},
	{Name: "conv_b1", Dims: []string{"H", "W", "Cin", "Cout", "KSize", "Stride"},
		Bench: [][]int{{28, 28, 32, 64, 3, 2}, {14, 14, 64, 64, 3, 1}},
		Ops:   convOps, Gen: genConvB1, Random: randConv},
	{Name: "conv_u8", Dims: []string{"H", "W", "Cout", "KSize"}, Tile: []int{1, 1, 32, 3},
		Bench: [][]int{{28, 28, 32, 3}},
		Ops:   func(d []int) float64 { return 2 * float64(d[0]*d[1]*d[2]*d[3]*d[3]) },
		Gen:   genConvU8, Random: func(r *rand.Rand) []int {
			return []int{1 + r.IntN(30), 1 + r.IntN(30), 1 + r.IntN(64), 1 + 2*r.IntN(2)}
		}},
	{Name: "groupnorm_f32", Dims: []string{"HW", "Groups", "PerGroup"}, Tile: []int{1, 1, 4}, Tol: TolGroupNorm,
		Bench: [][]int{{784, 8, 4}, {196, 8, 8}},
		Ops:   func(d []int) float64 { return 6 * float64(d[0]*d[1]*d[2]) },
		Gen:   genGroupNorm, Random: func(r *rand.Rand) []int { return []int{1 + r.IntN(50), 1 + r.IntN(8), 1 + r.IntN(17)} }},
	{Name: "groupnorm_silu_f32", Dims: []string{"HW", "Groups", "PerGroup"}, Tile: []int{1, 1, 4}, Tol: TolGroupNorm,
		Bench: [][]int{{784, 8, 4}, {196, 8, 8}},
		Ops:   func(d []int) float64 { return 30 * float64(d[0]*d[1]*d[2]) },
		Gen:   genGroupNormSiLU, Random: func(r *rand.Rand) []int { return []int{1 + r.IntN(50), 1 + r.IntN(8), 1 + r.IntN(17)} }},
	{Name: "epilogue_i8", Dims: []string{"M", "N"}, Tile: []int{1, 4},
		Bench: [][]int{{784, 32}, {196, 64}},
		Ops:   func(d []int) float64 { return 3 * float64(d[0]*d[1]) },
		Gen:   genEpilogue, Random: func(r *rand.Rand) []int { return []int{1 + r.IntN(20), 4 * (1 + r.IntN(20))} }},
	{Name: "silu_f32", Dims: []string{"N"}, Tile: []int{4}, Tol: TolSiLU,
		Bench: [][]int{{25088}}, Ops: func(d []int) float64 { return float64(d[0]) },
		Gen: genSiLU, Random: func(r *rand.Rand) []int { return []int{1 + r.IntN(100)} }},
	{Name: "add_f32", Dims: []string{"N"}, Tile: []int{4}, Tol: TolAdd,
		Bench: [][]int{{25088}}, Ops: func(d []int) float64 { return float64(d[0]) },
		Gen: genAdd, Random: func(r *rand.Rand) []int { return []int{1 + r.IntN(100)} }},
	{Name: "quant_f32", Dims: []string{"N"}, Tile: []int{16},
		Bench: [][]int{{25088}}, Ops: func(d []int) float64 { return float64(d[0]) },
		Gen: genQuant, Random: func(r *rand.Rand) []int { return []int{1 + r.IntN(100)} }},
}

// Lookup finds a table row by name.
func Lookup(name string) (*Op, bool) {
	for i := range Table {
		if Table[i].Name == name {
			return &Table[i], true
		}
	}
	return nil, false
}

// Sweep lists the shapes around the tile: every combination of 1, t-1, t,
// t+1 and 2t+1 per dimension (convolutions use a fixed list).
func (o *Op) Sweep() [][]int {
	if o.Shapes != nil {
		return o.Shapes
	}
	if o.Tile == nil {
		return convSweep
	}
	out := [][]int{{}}
	for _, t := range o.Tile {
		vals := uniq([]int{1, t - 1, t, t + 1, 2*t + 1})
		var next [][]int
		for _, d := range out {
			for _, v := range vals {
				next = append(next, append(append([]int(nil), d...), v))
			}
		}
		out = next
	}
	return out
}

var convSweep = [][]int{
	{1, 1, 1, 1, 1, 1}, {5, 5, 3, 4, 3, 1}, {7, 6, 5, 3, 3, 2}, {4, 4, 8, 2, 1, 1},
	{28, 28, 1, 32, 3, 1}, {14, 14, 64, 65, 3, 2}, {7, 7, 129, 3, 3, 1}, {3, 3, 2, 2, 3, 2},
	{1, 2, 33, 66, 3, 1}, {2, 5, 20, 70, 3, 2},
}

// unetConvs are the distinct conv shapes of the U-Net (layers in the
// comments), the benchmark shapes of conv_i8 and conv_i8p.
var unetConvs = [][]int{
	{28, 28, 1, 32, 3, 1},   // in
	{28, 28, 32, 32, 3, 1},  // down0.conv1, down0.conv2, up0.conv2
	{28, 28, 32, 32, 3, 2},  // down0.ds
	{14, 14, 32, 64, 3, 1},  // down1.conv1
	{14, 14, 64, 64, 3, 1},  // down1.conv2, up1.conv2
	{14, 14, 32, 64, 1, 1},  // down1.skip
	{14, 14, 64, 64, 3, 2},  // down1.ds
	{7, 7, 64, 128, 3, 1},   // mid1.conv1
	{7, 7, 128, 128, 3, 1},  // mid1.conv2, mid2.conv1, mid2.conv2
	{7, 7, 64, 128, 1, 1},   // mid1.skip
	{7, 7, 128, 384, 1, 1},  // mid.attn.qkv
	{14, 14, 192, 64, 3, 1}, // up1.conv1
	{14, 14, 192, 64, 1, 1}, // up1.skip
	{28, 28, 96, 32, 3, 1},  // up0.conv1
	{28, 28, 96, 32, 1, 1},  // up0.skip
	{28, 28, 32, 1, 3, 1},   // out
}

// convPanelSweep visits the implicit-GEMM conv around its 4x8 tile: output
// pixels around multiples of 4, Cout around 8, Cin whole pairs of pairs,
// stride 1 and 2; the last two shapes take the panel GEMM through im2col.
var convPanelSweep = [][]int{
	{2, 2, 4, 8, 3, 1}, {3, 3, 4, 7, 3, 1}, {3, 5, 8, 9, 3, 1}, {4, 4, 4, 17, 3, 1},
	{7, 7, 32, 16, 3, 1}, {14, 14, 64, 64, 3, 1}, {5, 6, 12, 1, 3, 1}, {1, 9, 8, 8, 3, 1},
	{9, 1, 4, 3, 3, 1}, {28, 28, 32, 32, 3, 1},
	{7, 6, 8, 3, 3, 2}, {5, 7, 4, 9, 3, 2}, {3, 3, 4, 5, 3, 2}, {28, 28, 32, 32, 3, 2}, {14, 14, 64, 64, 3, 2},
	{5, 5, 3, 4, 3, 1}, {4, 4, 8, 2, 1, 1},
}

func uniq(v []int) []int {
	var out []int
	for _, x := range v {
		if x < 1 {
			continue
		}
		dup := false
		for _, y := range out {
			dup = dup || x == y
		}
		if !dup {
			out = append(out, x)
		}
	}
	return out
}

func gemmOps(d []int) float64 { return 2 * float64(d[0]) * float64(d[1]) * float64(d[2]) }

func convOps(d []int) float64 {
	s := ConvShape{H: d[0], W: d[1], Cin: d[2], Cout: d[3], KSize: d[4], Stride: d[5]}
	return 2 * float64(s.M()) * float64(s.K()) * float64(s.Cout)
}

func randGemm(r *rand.Rand) []int { return []int{1 + r.IntN(9), 1 + r.IntN(9), 1 + r.IntN(200)} }

func randConv(r *rand.Rand) []int {
	k := 1 + 2*r.IntN(2)
	h, w := k+r.IntN(8), k+r.IntN(8)
	return []int{h, w, 1 + r.IntN(70), 1 + r.IntN(6), k, 1 + r.IntN(2)}
}

func randI8(r *rand.Rand, n, lo, hi int) []int8 {
	v := make([]int8, n)
	for i := range v {
		v[i] = int8(lo + r.IntN(hi-lo+1))
	}
	return v
}

func randF32(r *rand.Rand, n int, scale float64) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(r.NormFloat64() * scale)
	}
	return v
}

func randWords(r *rand.Rand, n, k int) []uint64 {
	// n rows of B1Words(k) words with the bits beyond k clear
	w := B1Words(k)
	v := make([]uint64, n*w)
	for row := 0; row < n; row++ {
		for b := 0; b < k; b++ {
			if r.IntN(2) == 1 {
				v[row*w+b/B1WordBits] |= 1 << (b % B1WordBits)
			}
		}
	}
	return v
}

func i32s(v []int32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func i8s(v []int8) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func f32s(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

func genGemmI8(r *rand.Rand, d []int) Case { return gemmI8Case(r, d, false) }

func genGemmW4(r *rand.Rand, d []int) Case { return gemmW4Case(r, d, false) }

// genGemmI8P is gemm_i8 on prepared int16 panels (the panel GEMM with
// its widening and edge handling) against the int8 reference.
func genGemmI8P(r *rand.Rand, d []int) Case { return gemmI8Case(r, d, true) }

// genGemmW4P is genGemmI8P for 4-bit weights, widened from their packing.
func genGemmW4P(r *rand.Rand, d []int) Case { return gemmW4Case(r, d, true) }

func gemmI8Case(r *rand.Rand, d []int, panels bool) Case {
	m, n, k := d[0], d[1], d[2]
	a, w := randI8(r, m*k, -128, 127), randI8(r, n*k, -127, 127)
	var p *I16Panels
	if panels {
		p = newI16Panels(n, k, w)
	}
	acc := make([]int32, m*n)
	return Case{Run: func(fast bool) {
		switch {
		case fast && p != nil:
			gemmPanelsInto(new(panelBufs), m, a, p, nil, acc)
		case fast:
			gemmI8Fast(m, n, k, a, w, acc)
		default:
			gemmI8Ref(m, n, k, a, w, acc)
		}
	}, Out: func() []float64 { return i32s(acc) }}
}

func gemmW4Case(r *rand.Rand, d []int, panels bool) Case {
	m, n, k := d[0], d[1], d[2]
	a := randI8(r, m*k, -128, 127)
	q, _ := PackQ4(n, k, randI8(r, n*k, -7, 7), make([]float32, n))
	var p *I16Panels
	if panels {
		p = newI16Panels(n, k, q.Unpack())
	}
	acc := make([]int32, m*n)
	return Case{Run: func(fast bool) {
		switch {
		case fast && p != nil:
			gemmPanelsInto(new(panelBufs), m, a, p, nil, acc)
		case fast:
			gemmW4Fast(m, n, k, a, q.Data, acc)
		default:
			gemmW4Ref(m, n, k, a, q.Data, acc)
		}
	}, Out: func() []float64 { return i32s(acc) }}
}

func genGemmB1(r *rand.Rand, d []int) Case {
	m, n, k := d[0], d[1], d[2]
	a, w := randWords(r, m, k), randWords(r, n, k)
	words := B1Words(k)
	out := make([]int32, m*n)
	return Case{Run: func(fast bool) {
		if fast {
			gemmB1Fast(m, n, words, int32(k), a, w, out)
		} else {
			gemmB1Ref(m, n, words, int32(k), a, w, out)
		}
	}, Out: func() []float64 { return i32s(out) }}
}

func genGemmB1I8(r *rand.Rand, d []int) Case {
	m, n, k := d[0], d[1], d[2]
	a := randWords(r, m, k)
	w, err := NewQ8Matrix(n, k, randI8(r, n*k, -127, 127), make([]float32, n))
	if err != nil {
		panic(err)
	}
	p, err := NewGemmB1I8Plan(w)
	if err != nil {
		panic(err)
	}
	out := make([]int32, m*n)
	return Case{Run: func(fast bool) {
		if fast {
			p.product(m, a, out)
		} else {
			gemmB1I8Ref(m, n, k, a, w.Data, out)
		}
	}, Out: func() []float64 { return i32s(out) }}
}

func genGemmF32(r *rand.Rand, d []int) Case {
	m, n, k := d[0], d[1], d[2]
	a, b := randF32(r, m*k, 1), randF32(r, k*n, 1)
	c := make([]float32, m*n)
	return Case{Run: func(fast bool) {
		if fast {
			gemmF32Fast(m, n, k, a, b, c, false)
		} else {
			gemmF32Ref(m, n, k, a, b, c, false)
		}
	}, Out: func() []float64 { return f32s(c) }}
}

// gemmF32TSweep visits the float32 tile's edges (M around 4, N around 8)
// and the engine's 1-column, 1-row and attention shapes for each
// transposition (Trans: bit 0 A, bit 1 B).
var gemmF32TSweep = func() [][]int {
	var out [][]int
	for tr := range 4 {
		for _, d := range [][]int{{1, 1, 1}, {3, 7, 5}, {4, 8, 8}, {5, 9, 3}, {8, 16, 2}, {9, 17, 33},
			{1, 512, 128}, {784, 1, 288}, {49, 49, 128}, {49, 128, 49}} {
			out = append(out, append(d, tr))
		}
	}
	return out
}()

// genGemmF32T is gemm_f32 with transposed operands (Trans bit 0: A given
// as [K,M], bit 1: B given as [N,K]) added to a random C, as the engine's
// layers add to their bias.
func genGemmF32T(r *rand.Rand, d []int) Case {
	m, n, k, ta, tb := d[0], d[1], d[2], d[3]&1 != 0, d[3]&2 != 0
	a, b, c0 := randF32(r, m*k, 1), randF32(r, k*n, 1), randF32(r, m*n, 1)
	c := make([]float32, m*n)
	return Case{Run: func(fast bool) {
		copy(c, c0)
		if fast {
			gemmF32TFast(ta, tb, m, n, k, a, b, c, true)
		} else {
			gemmF32TRef(ta, tb, m, n, k, a, b, c, true)
		}
	}, Out: func() []float64 { return f32s(c) }}
}

// withRef runs f with every integer variant switched to its reference.
func withRef(fast bool, f func()) {
	if fast {
		f()
		return
	}
	i8, w4, b1, cb1 := gemmI8Fast, gemmW4Fast, gemmB1Fast, convB1Fast
	gemmI8Fast, gemmW4Fast, gemmB1Fast, convB1Fast = gemmI8Ref, gemmW4Ref, gemmB1Ref, false
	defer func() { gemmI8Fast, gemmW4Fast, gemmB1Fast, convB1Fast = i8, w4, b1, cb1 }()
	f()
}

// Weights of a conv_i8 case: prepared as the engine prepares them on
// this target, never prepared, or laid out as panels on every target.
const (
	convPrepared = iota
	convUnprepared
	convForcedPanels
)

// genConvI8 is ConvI8 as the engine runs it on this target: its weights
// prepared by Q8Matrix.Prepare (int16 panels and the implicit GEMM in
// wasm, nothing natively), against the scalar reference.
func genConvI8(r *rand.Rand, d []int) Case { return convI8Case(r, d, convPrepared) }

// genConvI8U is genConvI8 on weights that are never prepared (im2col and
// the plain int8 GEMM on every target).
func genConvI8U(r *rand.Rand, d []int) Case { return convI8Case(r, d, convUnprepared) }

// genConvI8P is genConvI8 with the weights laid out as int16 panels on
// every target, so ConvI8 runs its implicit GEMM (or im2col and the panel
// GEMM) natively too.
func genConvI8P(r *rand.Rand, d []int) Case { return convI8Case(r, d, convForcedPanels) }

func convI8Case(r *rand.Rand, d []int, weights int) Case {
	s := ConvShape{H: d[0], W: d[1], Cin: d[2], Cout: d[3], KSize: d[4], Stride: d[5]}
	x := randI8(r, s.H*s.W*s.Cin, -128, 127)
	scale := make([]float32, s.Cout)
	for i := range scale {
		scale[i] = float32(0.001 + 0.01*r.Float64())
	}
	w, _ := NewQ8Matrix(s.Cout, s.K(), randI8(r, s.Cout*s.K(), -127, 127), scale)
	var p *I16Panels
	switch weights {
	case convPrepared:
		w.Prepare()
		p = w.panels
	case convForcedPanels:
		p = newI16Panels(w.N, w.K, w.Data)
	}
	e := &Epilogue{AScale: 0.05, AZero: int32(r.IntN(21) - 10), Bias: randF32(r, s.Cout, 1)}
	out := make([]float32, s.M()*s.Cout) // float with a bias, as the engine's layers (GemmI8's tests cover 8-bit outputs)
	col, acc := make([]int8, s.M()*s.K()), make([]int32, s.M()*s.Cout)
	return Case{Run: func(fast bool) {
		w.panels = nil
		if fast {
			w.panels = p
		}
		withRef(fast, func() {
			if err := ConvI8(s, x, w, e, col, acc, out, nil); err != nil {
				panic(err)
			}
		})
	}, Out: func() []float64 { return f32s(out) }}
}

func genConvB1(r *rand.Rand, d []int) Case {
	s := ConvShape{H: d[0], W: d[1], Cin: d[2], Cout: d[3], KSize: d[4], Stride: d[5]}
	x := randWords(r, s.H*s.W, s.Cin)
	cw := B1Words(s.Cin)
	flatB1(r, s, x)
	wd := make([]uint64, 0, s.Cout*s.B1ConvWords())
	for range s.Cout * s.KSize * s.KSize {
		wd = append(wd, randWords(r, 1, s.Cin)[:cw]...)
	}
	w := &B1Matrix{N: s.Cout, K: s.K(), Words: s.B1ConvWords(), Data: wd}
	th := &Threshold{Thr: make([]int32, s.Cout), Flip: make([]bool, s.Cout)}
	for n := range th.Thr {
		th.Thr[n] = int32(r.IntN(2*s.K()+1) - s.K())
		th.Flip[n] = r.IntN(2) == 1
	}
	out := make([]int32, s.M()*s.Cout)
	sg := make([]uint64, s.M()*B1Words(s.Cout))
	return Case{Run: func(fast bool) {
		withRef(fast, func() {
			if err := ConvB1(s, x, w, out); err != nil {
				panic(err)
			}
			if err := ConvB1Sign(s, x, w, th, sg); err != nil {
				panic(err)
			}
		})
	}, Out: func() []float64 { // the dot products, then the signs
		v := i32s(out)
		for m := 0; m < s.M(); m++ {
			for n := 0; n < s.Cout; n++ {
				v = append(v, float64(B1Sign(sg[m*B1Words(s.Cout):], n)))
			}
		}
		return v
	}}
}

// flatB1 paints most of image x with two background words, one a half,
// leaving one pixel in eight random: flat regions like a digit's
// background, whose pixels the direct binary conv copies.
func flatB1(r *rand.Rand, s ConvShape, x []uint64) {
	cw := B1Words(s.Cin)
	bg := [2][]uint64{randWords(r, 1, s.Cin), randWords(r, 1, s.Cin)}
	for p := range s.H * s.W {
		if r.IntN(8) != 0 {
			copy(x[p*cw:(p+1)*cw], bg[min(1, 2*(p/s.W)/s.H)])
		}
	}
}

func genConvU8(r *rand.Rand, d []int) Case {
	k := d[3]
	if k%2 == 0 || k > 2*d[0]+1 || k > 2*d[1]+1 {
		k = 1 // the sweep's even kernel sizes become 1x1
	}
	s := ConvShape{H: d[0], W: d[1], Cin: 1, Cout: min(d[2], 64), KSize: k, Stride: 1}
	x := make([]uint8, s.H*s.W)
	for i := range x {
		// ink on one pixel in two of the middle third of the rows: blank
		// margins like a digit's, whose pixels the fast variants skip
		if y := i / s.W; 3*y >= s.H && 3*y < 2*s.H && r.IntN(2) > 0 {
			x[i] = uint8(r.IntN(256))
		}
	}
	w := randI8(r, s.Cout*k*k, -127, 127)
	thr := make([]int32, s.Cout)
	for i := range thr {
		thr[i] = int32(r.IntN(40001) - 20000)
	}
	out := make([]uint64, s.H*s.W)
	return Case{Run: func(fast bool) {
		if fast {
			convU8SignFast(s, x, w, thr, out)
		} else {
			convU8SignRef(s, x, w, thr, out)
		}
	}, Out: func() []float64 {
		v := make([]float64, 0, len(out)*s.Cout)
		for _, word := range out {
			for n := 0; n < s.Cout; n++ {
				v = append(v, float64(word>>n&1))
			}
		}
		return v
	}}
}

func genGroupNorm(r *rand.Rand, d []int) Case {
	hw, g, c := d[0], d[1], d[1]*d[2]
	x := randF32(r, hw*c, 3)
	for i := range x {
		x[i] += 1.5 // a mean away from 0
	}
	gamma, beta := randF32(r, c, 1), randF32(r, c, 1)
	y := make([]float32, len(x))
	return Case{Run: func(fast bool) {
		if fast {
			groupNormFast(hw, c, g, 1e-5, x, gamma, beta, y)
		} else {
			groupNormRef(hw, c, g, 1e-5, x, gamma, beta, y)
		}
	}, Out: func() []float64 { return f32s(y) }}
}

func genGroupNormSiLU(r *rand.Rand, d []int) Case {
	hw, g, c := d[0], d[1], d[1]*d[2]
	x := randF32(r, hw*c, 3)
	gamma, beta := randF32(r, c, 1), randF32(r, c, 1)
	y := make([]float32, len(x))
	return Case{Run: func(fast bool) {
		if fast {
			groupNormSiLUFast(hw, c, g, 1e-5, x, gamma, beta, y)
		} else {
			groupNormSiLURef(hw, c, g, 1e-5, x, gamma, beta, y)
		}
	}, Out: func() []float64 { return f32s(y) }}
}

func genEpilogue(r *rand.Rand, d []int) Case {
	m, n := d[0], d[1]&^3 // the fast path takes whole vectors of channels
	if n == 0 {
		n = 4
	}
	acc := make([]int32, m*n)
	for i := range acc {
		acc[i] = int32(r.IntN(1<<21) - 1<<20)
	}
	colSum := make([]int32, n)
	for i := range colSum {
		colSum[i] = int32(r.IntN(20001) - 10000)
	}
	sc, bias := randF32(r, n, 1e-3), randF32(r, n, 1)
	out := make([]float32, m*n)
	return Case{Run: func(fast bool) {
		if fast {
			epilogueF32Fast(m, n, acc, -7, colSum, sc, bias, out)
		} else {
			epilogueF32Ref(m, n, acc, -7, colSum, sc, bias, out)
		}
	}, Out: func() []float64 { return f32s(out) }}
}

func genSiLU(r *rand.Rand, d []int) Case {
	x := randF32(r, d[0], 4)
	y := make([]float32, len(x))
	return Case{Run: func(fast bool) {
		if fast {
			siluFast(x, y)
		} else {
			siluRef(x, y)
		}
	}, Out: func() []float64 { return f32s(y) }}
}

func genAdd(r *rand.Rand, d []int) Case {
	a, b := randF32(r, d[0], 1), randF32(r, d[0], 1)
	y := make([]float32, len(a))
	return Case{Run: func(fast bool) {
		if fast {
			addFast(a, b, y)
		} else {
			addRef(a, b, y)
		}
	}, Out: func() []float64 { return f32s(y) }}
}

func genQuant(r *rand.Rand, d []int) Case {
	x := randF32(r, d[0], 8)
	if d[0] > 2 {
		x[0], x[1] = 0.125, -0.375 // x*20 = 2.5 and -7.5: ties round to even
	}
	if d[0] > 8 { // NaN gives 0; infinities, huge values and 6.5*20 saturate
		x[2], x[3], x[4], x[5], x[6], x[7] = float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1e30, -3e9, 6.5
	}
	q := make([]int8, len(x))
	return Case{Run: func(fast bool) {
		if fast {
			quantizeFast(x, 1/0.05, -3, q)
		} else {
			quantizeRef(x, 1/0.05, -3, q)
		}
	}, Out: func() []float64 { return i8s(q) }}
}

// Compare returns the index of the first element of got that differs from
// want beyond tol (relative to 1+|want|; tol 0 means exact), or -1.
func Compare(got, want []float64, tol float64) int {
	if len(got) != len(want) {
		return min(len(got), len(want))
	}
	for i := range want {
		if tol == 0 {
			if got[i] != want[i] && !(math.IsNaN(got[i]) && math.IsNaN(want[i])) {
				return i
			}
		} else if math.Abs(got[i]-want[i]) > tol*(1+math.Abs(want[i])) {
			return i
		}
	}
	return -1
}

// CaseRNG is the generator of the inputs of case seed of an op: the same
// on every platform, so a wasm build and the native reference see the
// same inputs.
func CaseRNG(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x9d1ff)) }
