package kernels

import "sync"

// gemmI16PFast runs the panel GEMM on int16 activations; wasm replaces it
// with assembly.
var gemmI16PFast = gemmI16PGo

// widenI8Fast widens int8 rows to int16; wasm replaces it.
var widenI8Fast = widenI8Go

// gemmPanels is the product acc[M,N] = A[M,K] x W[K,N] with W as int16
// panels: A is widened to int16 rows of p.KP values (zero padded, M
// rounded up to 4 rows) and run through the panel GEMM as one tap.
func gemmPanels(m int, a []int8, p *I16Panels, acc []int32) {
	m4 := (m + 3) &^ 3
	sp := panelScratch.Get().(*panelBufs)
	sp.a = growTo(sp.a, m4*p.KP)
	widenI8Fast(m, p.K, p.KP, a, sp.a)
	clear(sp.a[m*p.KP:])
	panelProduct(sp, m, m4, p.KP, []int{0}, p.KP/PanelK, p, acc, func(i int) int { return i })
	panelScratch.Put(sp)
}

// panelProduct runs the panel GEMM over m4 rows of sp.a (row i at i*lda,
// its K values in the runs taps, kq*PanelK values each) and writes row
// i < m of the result to row i of acc, the row row(i) of the product. When
// every product row is a result row and N is whole panels, acc receives
// the tiles directly; otherwise a padded scratch is copied out.
func panelProduct(sp *panelBufs, m, m4, lda int, taps []int, kq int, p *I16Panels, acc []int32, row func(int) int) {
	n8 := p.Panels() * PanelN
	if m4 == m && n8 == p.N && row(m-1) == m-1 {
		gemmI16PFast(m4, sp.a, lda, taps, kq, p, acc, p.N)
		return
	}
	sp.acc = growTo(sp.acc, m4*n8)
	gemmI16PFast(m4, sp.a, lda, taps, kq, p, sp.acc, n8)
	for i := 0; i < m; i++ {
		copy(acc[i*p.N:(i+1)*p.N], sp.acc[row(i)*n8:])
	}
}

type panelBufs struct {
	a   []int16
	acc []int32
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
// and receive all Panels()*PanelN columns.
func gemmI16PGo(m4 int, a []int16, lda int, taps []int, kq int, p *I16Panels, acc []int32, ldc int) {
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
