//go:build goexperiment.simd && wasm

package kernels

import "unsafe"

func init() {
	panelsOn = true
	gemmI16PFast = gemmI16PWasm
	widenI8Fast = widenI8Wasm
	addVariant("gemm_i8p", "wasm")
}

// gemmI16P4x8 (gemm_i8_4x8_wasm.s) writes the 4 x 8*npan block of acc
// (rows ldc bytes apart) from 4 int16 rows of A (row r starting rows[r]
// values after a, its K values in ntaps runs of 4*kq starting taps[t]
// bytes into the row) and npan panels at pw: int32 sums, or, when ep is
// not nil, the float32 bits of the epilogue ep (see panelsEpilogue)
// applied to them.
//
//go:noescape
func gemmI16P4x8(kq int, a *int16, rows *int, taps *int64, ntaps int, pw *int16, npan int, acc *int32, ldc int, ep *float32)

// gemmI16PWasm is gemmI16PGo through the assembly tile, one call per
// four rows (all panels, all taps).
func gemmI16PWasm(a []int16, rows, taps []int, kq int, p *I16Panels, ep []float32, acc []int32, ldc int) {
	np, run := p.Panels(), kq*PanelK
	var tb [9]int64
	last := 0
	for i, t := range taps[:min(len(taps), len(tb))] {
		tb[i] = 2 * int64(t)
		last = max(last, t)
	}
	lo, hi := 0, 0
	for _, r := range rows {
		lo, hi = min(lo, r), max(hi, r)
	}
	if len(taps) > len(tb) || run*len(taps) != p.KP || lo < 0 || len(rows)%4 != 0 {
		gemmI16PGo(a, rows, taps, kq, p, ep, acc, ldc)
		return
	}
	m4 := len(rows)
	_, _, _ = a[hi+last+run-1], p.Data[np*p.KP*PanelN-1], acc[(m4-1)*ldc+np*PanelN-1]
	var pe *float32
	if ep != nil {
		_ = ep[np*3*PanelN-1]
		pe = &ep[0]
	}
	// panels in groups of at most panelGroupBytes, so that a group stays
	// in the L1 cache while every row tile runs over it
	g := max(1, min(np, panelGroupBytes/(2*p.KP*PanelN)))
	for p0 := 0; p0 < np; p0 += g {
		ng := min(g, np-p0)
		pw := &p.Data[p0*p.KP*PanelN]
		var pg *float32
		if pe != nil {
			pg = &ep[p0*3*PanelN]
		}
		for i := 0; i < m4; i += 4 {
			gemmI16P4x8(kq, &a[0], &rows[i], &tb[0], len(taps), pw, ng, &acc[i*ldc+p0*PanelN], 4*ldc, pg)
		}
	}
}

// panelGroupBytes bounds the weight panels one pass over the rows reads.
const panelGroupBytes = 32 << 10

// widenI8Wasm is widenI8Go sixteen values at a time.
func widenI8Wasm(m, k, kp int, a []int8, a16 []int16) {
	for i := 0; i < m; i++ {
		row, dst := a[i*k:(i+1)*k], a16[i*kp:(i+1)*kp]
		j := 0
		if k >= 16 {
			pa, pd := unsafe.Pointer(&row[0]), unsafe.Pointer(&dst[0])
			for ; j+16 <= k; j += 16 {
				v := ld16(pa, j)
				v.ExtendLo8ToInt16().StoreArray((*[8]int16)(unsafe.Add(pd, 2*j)))
				v.ExtendHi8ToInt16().StoreArray((*[8]int16)(unsafe.Add(pd, 2*j+16)))
			}
		}
		for ; j < k; j++ {
			dst[j] = int16(row[j])
		}
		clear(dst[k:])
	}
}
