package kernels

import (
	"math"
	"sync"
	"unsafe"
)

// gemmI16PFast runs the panel GEMM on int16 activations; wasm replaces it
// with assembly.
var gemmI16PFast = gemmI16PGo

// widenI8Fast widens int8 rows to int16; wasm replaces it.
var widenI8Fast = widenI8Go

// gemmPanels is the 8-bit product of GemmI8/GemmW4 on prepared panels:
// A is widened to int16 rows of p.KP values (zero padded, M rounded up to
// 4 rows) and run through the panel GEMM as one tap, with the epilogue.
func gemmPanels(m int, a []int8, p *I16Panels, e *Epilogue, scale []float32, colSum []int32, acc []int32, outF []float32, outQ []int8) {
	panelsEpilogue(m, p, e, scale, colSum, acc, outF, outQ, func(sp *panelBufs, ep []float32, dst []int32) {
		gemmPanelsInto(sp, m, a, p, ep, dst)
	})
}

// gemmPanelsInto is gemmPanels' product into dst (int32 sums, or with ep
// the fused epilogue's float bits).
func gemmPanelsInto(sp *panelBufs, m int, a []int8, p *I16Panels, ep []float32, dst []int32) {
	sp.a = growTo(sp.a, m*p.KP)
	widenI8Fast(m, p.K, p.KP, a, sp.a)
	sp.rows = panelRows(sp.rows, m, func(i int) int { return i * p.KP })
	panelProduct(sp, m, sp.rows, []int{0}, p.KP/PanelK, p, ep, dst)
}

// panelRows returns rows (reused) filled with the start of each of m
// product rows, at(i), rounded up to whole 4-row tiles with rows that
// start at 0 (their results are dropped).
func panelRows(rows []int, m int, at func(int) int) []int {
	rows = growTo(rows, (m+3)&^3)
	for i := range rows {
		rows[i] = 0
		if i < m {
			rows[i] = at(i)
		}
	}
	return rows
}

// panelsEpilogue runs product, a panel GEMM of M rows, and the epilogue e:
// for float outputs with a bias (every engine layer) the GEMM applies it
// as it stores a tile (ep: per panel eight int32 zero-point corrections
// as float bits, eight scales, eight biases; epilogueF32Ref's operations)
// and writes the floats' bits into outF, with no int32 pass over memory;
// otherwise it writes int32 sums to acc and e.apply follows.
func panelsEpilogue(m int, p *I16Panels, e *Epilogue, scale []float32, colSum []int32, acc []int32, outF []float32, outQ []int8, product func(sp *panelBufs, ep []float32, dst []int32)) {
	sp := panelScratch.Get().(*panelBufs)
	defer panelScratch.Put(sp)
	if outF == nil || e.Bias == nil {
		product(sp, nil, acc)
		e.apply(m, p.N, acc, scale, colSum, outF, outQ)
		return
	}
	sp.ep = growTo(sp.ep, p.Panels()*3*PanelN)
	clear(sp.ep)
	for j := 0; j < p.N; j++ {
		t := sp.ep[j/PanelN*3*PanelN+j%PanelN:]
		t[0] = math.Float32frombits(uint32(e.AZero * colSum[j]))
		t[PanelN] = float32(e.AScale * scale[j])
		t[2*PanelN] = e.Bias[j]
	}
	product(sp, sp.ep, unsafe.Slice((*int32)(unsafe.Pointer(&outF[0])), m*p.N))
}

// panelProduct runs the panel GEMM over the product rows that start at
// rows[i] in sp.a (their K values in the runs taps, kq*PanelK values
// each; len(rows) a multiple of 4) and writes the first m to dst's rows.
// When N is whole panels the whole tiles go straight into dst and only a
// last partial tile through scratch; otherwise a padded scratch is copied
// out.
func panelProduct(sp *panelBufs, m int, rows, taps []int, kq int, p *I16Panels, ep []float32, dst []int32) {
	n8 := p.Panels() * PanelN
	if n8 == p.N {
		full := m &^ 3
		if full > 0 {
			gemmI16PFast(sp.a, rows[:full], taps, kq, p, ep, dst, p.N)
		}
		if full < m {
			sp.acc = growTo(sp.acc, 4*n8)
			gemmI16PFast(sp.a, rows[full:full+4], taps, kq, p, ep, sp.acc, n8)
			copy(dst[full*p.N:m*p.N], sp.acc)
		}
		return
	}
	sp.acc = growTo(sp.acc, len(rows)*n8)
	gemmI16PFast(sp.a, rows, taps, kq, p, ep, sp.acc, n8)
	for i := 0; i < m; i++ {
		copy(dst[i*p.N:(i+1)*p.N], sp.acc[i*n8:])
	}
}

type panelBufs struct {
	a    []int16
	acc  []int32
	ep   []float32
	rows []int
}

var panelScratch = sync.Pool{New: func() any { return new(panelBufs) }}

// widenI8Go writes the m rows of a (k values each) as int16 rows of kp
// values, zero past k.
func widenI8Go(m, k, kp int, a []int8, a16 []int16) {
	for i := 0; i < m; i++ {
		row, dst := a[i*k:(i+1)*k], a16[i*kp:(i+1)*kp]
		for j, v := range row {
			dst[j] = int16(v)
		}
		clear(dst[k:])
	}
}

// gemmI16PGo is the panel GEMM in plain Go, in the order of the SIMD tile:
// for each 4-row block and panel, four channel sums of each row per pair
// of k. Product row i's K values are the runs of kq*PanelK values at
// a[rows[i]+t] for t in taps, in order; len(rows) is a multiple of 4; acc
// rows are ldc apart and receive all Panels()*PanelN columns: int32 sums,
// or with ep the float32 bits of the fused epilogue (see panelsEpilogue).
func gemmI16PGo(a []int16, rows, taps []int, kq int, p *I16Panels, ep []float32, acc []int32, ldc int) {
	kp, run := p.KP, kq*PanelK
	for i := 0; i < len(rows); i += 4 {
		for pan := 0; pan < p.Panels(); pan++ {
			w := p.Data[pan*kp*PanelN : (pan+1)*kp*PanelN]
			var s [4][PanelN]int32
			for ti, t := range taps {
				for q := 0; q < run/2; q++ {
					wq := w[(ti*run/2+q)*2*PanelN:][:2*PanelN]
					for r := range 4 {
						x := a[rows[i+r]+t+2*q:]
						a0, a1 := int32(x[0]), int32(x[1])
						for c := range PanelN {
							s[r][c] += a0*int32(wq[2*c]) + a1*int32(wq[2*c+1])
						}
					}
				}
			}
			if ep != nil {
				t := ep[pan*3*PanelN:]
				for r := range 4 {
					for c := range PanelN {
						zc := int32(math.Float32bits(t[c]))
						y := float32(float32(s[r][c]-zc)*t[PanelN+c]) + t[2*PanelN+c]
						s[r][c] = int32(math.Float32bits(y))
					}
				}
			}
			for r := range 4 {
				copy(acc[(i+r)*ldc+pan*PanelN:(i+r)*ldc+(pan+1)*PanelN], s[r][:])
			}
		}
	}
}

// growTo returns b resized to n elements, reallocated when too small.
func growTo[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}
