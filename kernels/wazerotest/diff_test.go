package wazerotest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/qdiff/qdiff/kernels"
)

// randomCases is the number of random differential cases per op per run.
const randomCases = 1000

var (
	buildOnce sync.Once
	guestWasm string
	buildErr  error
)

// simdGuest builds the SIMD guest once per test binary.
func simdGuest(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := BuildDir()
		if err != nil {
			buildErr = err
			return
		}
		guestWasm = filepath.Join(dir, "guest-simd.wasm")
		buildErr = Build(context.Background(), GuestPkg, guestWasm, true, false)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return guestWasm
}

func startGuest(t *testing.T) *Guest {
	t.Helper()
	ctx := context.Background()
	m, err := Compile(ctx, simdGuest(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close(ctx) })
	g := m.Start(ctx, os.Stderr)
	t.Cleanup(func() { g.Close() })
	return g
}

// TestWasm_Differential feeds the same inputs to the wasm SIMD build under
// wazero and to the native reference: integers must match exactly, floats
// within the op's named tolerance. A failure names the seed and shape.
func TestWasm_Differential(t *testing.T) {
	g := startGuest(t)
	for i := range kernels.Table {
		op := &kernels.Table[i]
		t.Run(op.Name, func(t *testing.T) {
			type tc struct {
				seed uint64
				dims []int
			}
			var cases []tc
			for si, d := range op.Sweep() {
				cases = append(cases, tc{uint64(si), d})
			}
			r := kernels.CaseRNG(777)
			for c := 0; c < randomCases; c++ {
				cases = append(cases, tc{uint64(5000 + c), op.Random(r)})
			}
			for _, c := range cases {
				got, err := g.Run(op.Name, c.seed, c.dims)
				if err != nil {
					t.Fatalf("%s seed=%d dims=%v: guest: %v", op.Name, c.seed, c.dims, err)
				}
				want := op.Gen(kernels.CaseRNG(c.seed), c.dims).Result(false)
				if i := kernels.Compare(got, want, op.Tol); i >= 0 {
					t.Fatalf("%s seed=%d dims=%v: element %d: wasm %v, native reference %v", op.Name, c.seed, c.dims, i, at(got, i), at(want, i))
				}
			}
			t.Logf("%d cases agree (%d sweep, %d random)", len(cases), len(cases)-randomCases, randomCases)
		})
	}
}

func at(v []float64, i int) any {
	if i < len(v) {
		return v[i]
	}
	return "missing"
}

// TestWasm_Variants checks that the SIMD build really selects a SIMD
// variant for every integer kernel.
func TestWasm_Variants(t *testing.T) {
	vs, err := startGuest(t).Variants()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"gemm_i8 wasm", "gemm_w4 wasm", "gemm_b1 wasm", "gemm_f32 wasm", "gemm_f32t wasm", "silu_f32 wasm", "quant_f32 wasm", "conv_b1 wasm", "conv_u8 wasm", "gemm_b1i8 wasm", "gemm_i8p wasm", "groupnorm_silu_f32 wasm"} {
		found := false
		for _, v := range vs {
			found = found || v == want
		}
		if !found {
			t.Errorf("variant %q missing from %v", want, vs)
		}
	}
}

// TestWasm_SIMDOpcodes checks that the kernels' inner functions in the
// wasm binary contain SIMD (0xFD-prefixed) instructions and that the
// scalar references do not.
func TestWasm_SIMDOpcodes(t *testing.T) {
	bin, err := os.ReadFile(simdGuest(t))
	if err != nil {
		t.Fatal(err)
	}
	bodies, err := FuncBodies(bin)
	if err != nil {
		t.Fatal(err)
	}
	const pkg = "github.com_qdiff_qdiff_kernels." // the name section spells "/" as "_"
	for _, c := range []struct {
		fn      string
		minSIMD int
	}{
		{"gemmI8Panel2", 20}, {"gemmI16P4x8", 40}, {"widenI8Wasm", 3}, {"unpackW4Rows", 5}, {"gemmB1Tile2x2", 12},
		{"gemmF32Rows4", 20}, {"siluVec", 30}, {"gnVec", 40}, {"gnSums", 10}, {"quantizeWasm", 5}, {"quantVec", 10},
		{"b1Run9", 30}, {"b1Run5", 20}, {"convU8Sign32", 80}, {"gemmB1I8Row", 60},
	} {
		body, ok := bodies[pkg+c.fn]
		if !ok {
			t.Errorf("%s not found in the wasm name section", c.fn)
			continue
		}
		if n := SIMDCount(body); n < c.minSIMD {
			t.Errorf("%s has %d SIMD-prefixed bytes, want at least %d", c.fn, n, c.minSIMD)
		}
	}
	for name, body := range bodies {
		if strings.HasPrefix(name, pkg) && strings.HasSuffix(name, "Ref") && SIMDCount(body) > 2 {
			t.Errorf("reference %s has %d SIMD-prefixed bytes", name, SIMDCount(body))
		}
	}
}
