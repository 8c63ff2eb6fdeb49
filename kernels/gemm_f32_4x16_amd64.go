//go:build goexperiment.simd && amd64

package kernels

import (
	"simd/archsimd"
	"sync"
	"unsafe"
)

func init() {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		gemmF32Fast = func(m, n, k int, a, b, c []float32, acc bool) {
			gemmF32AVX2(false, false, m, n, k, a, b, c, acc)
		}
		gemmF32TFast = gemmF32AVX2
		addVariant("gemm_f32", "amd64")
	}
}

const (
	f32KC = 256 // k block: a packed 256x16 B panel is 16 KiB
	f32NR = 16  // columns per register tile
	f32MR = 4   // rows per register tile
)

type f32Scratch struct{ buf []float32 }

var f32PackPool = sync.Pool{New: func() any { return new(f32Scratch) }}

// gemmF32AVX2 packs op(B) in zero-padded 16-column panels and op(A) in
// zero-padded 4-row panels per k block, then runs a 4x16 register tile
// (eight 8-lane FMA accumulators). Edge tiles go through a scratch tile,
// so every multiply runs in SIMD.
// C[M,N] (+)= op(A)[M,K] x op(B)[K,N]
func gemmF32AVX2(transA, transB bool, m, n, k int, a, b, c []float32, acc bool) {
	if !acc {
		clear(c[:m*n])
	}
	np := (n + f32NR - 1) &^ (f32NR - 1)
	s := f32PackPool.Get().(*f32Scratch)
	need := f32KC*np + f32KC*f32MR + f32MR*f32NR
	if cap(s.buf) < need {
		s.buf = make([]float32, need)
	}
	buf := s.buf[:need]
	bpack, apack, tile := buf[:f32KC*np], buf[f32KC*np:f32KC*np+f32KC*f32MR], buf[f32KC*np+f32KC*f32MR:]
	for k0 := 0; k0 < k; k0 += f32KC {
		k1 := min(k0+f32KC, k)
		kc := k1 - k0
		packB(transB, b, bpack[:kc*np], n, k, k0, kc)
		for i := 0; i < m; i += f32MR {
			mr := min(f32MR, m-i)
			ap := apack[:kc*f32MR]
			packA(transA, a, ap, m, k, i, mr, k0, kc)
			for j := 0; j < n; j += f32NR {
				bp := bpack[j*kc : (j+f32NR)*kc]
				if mr == f32MR && j+f32NR <= n {
					gemmF32Micro4x16(ap, bp, c[i*n+j:], n)
					continue
				}
				nr := min(f32NR, n-j)
				clear(tile)
				gemmF32Micro4x16(ap, bp, tile, f32NR)
				for r := 0; r < mr; r++ {
					cr := c[(i+r)*n+j : (i+r)*n+j+nr]
					for q := range cr {
						cr[q] += tile[r*f32NR+q]
					}
				}
			}
		}
	}
	f32PackPool.Put(s)
}

// packB writes op(B)[k0:k0+kc, :] as 16-column panels [panel][p][16], zero-padded.
func packB(trans bool, b, dst []float32, n, k, k0, kc int) {
	for j := 0; j < n; j += f32NR {
		nr := min(f32NR, n-j)
		panel := dst[j*kc : (j+f32NR)*kc]
		if nr < f32NR {
			clear(panel)
		}
		if !trans {
			for p := 0; p < kc; p++ {
				copy(panel[p*f32NR:p*f32NR+nr], b[(k0+p)*n+j:(k0+p)*n+j+nr])
			}
			continue
		}
		if nr < f32NR {
			for q := 0; q < nr; q++ {
				src := b[(j+q)*k+k0 : (j+q)*k+k0+kc]
				for p, v := range src {
					panel[p*f32NR+q] = v
				}
			}
			continue
		}
		// a whole panel: sixteen source rows read side by side, the panel
		// written in order
		src := b[j*k+k0:]
		for p := 0; p < kc; p++ {
			dst := (*[f32NR]float32)(panel[p*f32NR:])
			for q := range dst {
				dst[q] = src[q*k+p]
			}
		}
	}
}

// packA writes op(A)[i:i+mr, k0:k0+kc] as [p][4], zero-padded to 4 rows.
func packA(trans bool, a, dst []float32, m, k, i, mr, k0, kc int) {
	if mr < f32MR {
		clear(dst)
	}
	if trans {
		for p := 0; p < kc; p++ {
			copy(dst[p*f32MR:p*f32MR+mr], a[(k0+p)*m+i:(k0+p)*m+i+mr])
		}
		return
	}
	for r := 0; r < mr; r++ {
		src := a[(i+r)*k+k0 : (i+r)*k+k0+kc]
		for p, v := range src {
			dst[p*f32MR+r] = v
		}
	}
}

// C[0:4, 0:16] (row stride ldc) += Ap[kc,4]^T x Bp[kc,16]
func gemmF32Micro4x16(ap, bp, c []float32, ldc int) {
	r0, r1, r2, r3 := c[:16], c[ldc:ldc+16], c[2*ldc:2*ldc+16], c[3*ldc:3*ldc+16]
	c00, c01 := archsimd.LoadFloat32x8(r0[:8]), archsimd.LoadFloat32x8(r0[8:16])
	c10, c11 := archsimd.LoadFloat32x8(r1[:8]), archsimd.LoadFloat32x8(r1[8:16])
	c20, c21 := archsimd.LoadFloat32x8(r2[:8]), archsimd.LoadFloat32x8(r2[8:16])
	c30, c31 := archsimd.LoadFloat32x8(r3[:8]), archsimd.LoadFloat32x8(r3[8:16])
	// the loop steps raw pointers over the kc whole steps both panels hold
	// (the slices' re-slicing cost bounds checks and spills every step)
	kc := min(len(ap)/4, len(bp)/16)
	if kc > 0 {
		pa, pb := unsafe.Pointer(&ap[0]), unsafe.Pointer(&bp[0])
		end := unsafe.Add(pa, 16*kc)
		for pa != end {
			b0 := archsimd.LoadFloat32x8Array((*[8]float32)(pb))
			b1 := archsimd.LoadFloat32x8Array((*[8]float32)(unsafe.Add(pb, 32)))
			a := (*[4]float32)(pa)
			v := archsimd.BroadcastFloat32x8(a[0])
			c00, c01 = v.MulAdd(b0, c00), v.MulAdd(b1, c01)
			v = archsimd.BroadcastFloat32x8(a[1])
			c10, c11 = v.MulAdd(b0, c10), v.MulAdd(b1, c11)
			v = archsimd.BroadcastFloat32x8(a[2])
			c20, c21 = v.MulAdd(b0, c20), v.MulAdd(b1, c21)
			v = archsimd.BroadcastFloat32x8(a[3])
			c30, c31 = v.MulAdd(b0, c30), v.MulAdd(b1, c31)
			pa, pb = unsafe.Add(pa, 16), unsafe.Add(pb, 64)
		}
	}
	c00.Store(r0[:8])
	c01.Store(r0[8:16])
	c10.Store(r1[:8])
	c11.Store(r1[8:16])
	c20.Store(r2[:8])
	c21.Store(r2[8:16])
	c30.Store(r3[:8])
	c31.Store(r3[8:16])
}
