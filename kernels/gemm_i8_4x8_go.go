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
	m4 := (m + 3) &^ 3
	sp.a = growTo(sp.a, m4*p.KP)
	widenI8Fast(m, p.K, p.KP, a, sp.a)
	clear(sp.a[m*p.KP:])
	panelProduct(sp, m, m4, p.KP, []int{0}, p.KP/PanelK, p, ep, dst, func(i int) int { return i })
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

// panelProduct runs the panel GEMM over m4 rows of sp.a (row i at i*lda,
// its K values in the runs taps, kq*PanelK values each) and writes row
// i < m of the result to row i of dst, the row row(i) of the product. When
// every product row is a result row and N is whole panels, dst receives
// the tiles directly; otherwise a padded scratch is copied out.
func panelProduct(sp *panelBufs, m, m4, lda int, taps []int, kq int, p *I16Panels, ep []float32, dst []int32, row func(int) int) {
	n8 := p.Panels() * PanelN
	if m4 == m && n8 == p.N && row(m-1) == m-1 {
		gemmI16PFast(m4, sp.a, lda, taps, kq, p, ep, dst, p.N)
		return
	}
	sp.acc = growTo(sp.acc, m4*n8)
	gemmI16PFast(m4, sp.a, lda, taps, kq, p, ep, sp.acc, n8)
	for i := 0; i < m; i++ {
		copy(dst[i*p.N:(i+1)*p.N], sp.acc[row(i)*n8:])
	}
}

type panelBufs struct {
	a   []int16
	acc []int32
	ep  []float32
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
// of k. Row i's K values are the runs of kq*PanelK values at a[i*lda+t]
// for t in taps, in order; m4 is a multiple of 4; acc rows are ldc apart
// and receive all Panels()*PanelN columns: int32 sums, or with ep the
// float32 bits of the fused epilogue (see panelsEpilogue).
func gemmI16PGo(m4 int, a []int16, lda int, taps []int, kq int, p *I16Panels, ep []float32, acc []int32, ldc int) {
	kp, run := p.KP, kq*PanelK
	for i := 0; i < m4; i += 4 {
		for pan := 0; pan < p.Panels(); pan++ {
			w := p.Data[pan*kp*PanelN : (pan+1)*kp*PanelN]
			var s [4][PanelN]int32
			for ti, t := range taps {
				for q := 0; q < run/2; q++ {
					wq := w[(ti*run/2+q)*2*PanelN:][:2*PanelN]
					for r := range 4 {
						x := a[(i+r)*lda+t+2*q:]
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
