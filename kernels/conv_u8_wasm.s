//go:build goexperiment.simd && wasm

#include "textflag.h"

// func convU8Sign32(x16, xt *int16, wt *convU8Pack, out *uint64, zw uint64, h, wd int)
// out[p] bit n = (sum_tap w[n,tap]*x[p+tap] < thr[n]) for 32 channels of a
// 3x3 conv, in pairs of taps: each pair of pixels becomes one i32x4.splat of
// two i16 and meets four channels' two weights in one i32x4.dot_i16x8_s
// (pmaddwd; archsimd offers neither it nor i32x4.bitmask). x16 is the image
// zero-padded to (h+2) x (wd+2) as int16, so a row's first two taps are one
// i32 load.
// wt holds 40 v128 [pair][group of 4 channels] of lanes (w[c,a], w[c,b]) for
// pairs (0,1) (3,4) (6,7) (2,5) (8,-), then the thresholds. A pixel without
// ink in its taps gets zw. wt's address is held as an i32 in PC_B (free in a
// leaf function), and one load at its end first: wazero then checks the
// bounds of the pixel's 48 loads once (it checks every address computed
// anew, as from each i32.wrap_i64 the Go compiler writes).
// Registers: R0 y, R1 x, R2 x16 window, R3 its next rows, R4 wt, R6 out,
// R7 zw, R8 bits, R9 R11-R14 the pairs, R10 a third-column tap, R15 x16's
// row stride in bytes.

// GROUP adds the eight signs of channel group g (byte offset off = 16*g) into R8.
#define GROUP(off, sh) \
	Get PC_B; V128Load $(off); Get V0; I32x4DotI16x8S; \
	Get PC_B; V128Load $(128+off); Get V1; I32x4DotI16x8S; I32x4Add; \
	Get PC_B; V128Load $(256+off); Get V2; I32x4DotI16x8S; I32x4Add; \
	Get PC_B; V128Load $(384+off); Get V3; I32x4DotI16x8S; I32x4Add; \
	Get PC_B; V128Load $(512+off); Get V4; I32x4DotI16x8S; I32x4Add; \
	Get PC_B; V128Load $(640+off); I32x4LtS; I32x4Bitmask; I64ExtendI32U; \
	I64Const $(sh); I64Shl; Get R8; I64Or; Set R8

// ROW reads one window row at address r: its first two taps into pr (one
// i32) and its third into t (one check of bounds: the address is wrapped
// once, into PC_B).
#define ROW(r, pr, t) \
	Get r; I32WrapI64; Set PC_B; \
	Get PC_B; I64Load32U $0; Set pr; \
	Get PC_B; I64Load16U $4; Set t

// SPLAT sets v to the i32x4 splat of the low 32 bits of r.
#define SPLAT(r, v) Get r; I32WrapI64; I32x4Splat; Set v

TEXT ·convU8Sign32(SB), NOSPLIT, $0-48
	I64Load x16+0(FP)
	Set R2
	I64Load wt+8(FP)
	Set R4
	I64Load out+16(FP)
	Set R6
	I64Load zw+24(FP)
	Set R7
	I64Load wd+40(FP)
	I64Const $2
	I64Add
	I64Const $1
	I64Shl
	Set R15
	I64Const $0
	Set R0
	Block
	Loop
		Get R0
		I64Load h+32(FP)
		I64Eq
		BrIf $1
		I64Const $0
		Set R1
		Block
		Loop
			Get R1
			I64Load wd+40(FP)
			I64Eq
			BrIf $1
			ROW(R2, R9, R13)
			Get R2
			Get R15
			I64Add
			Set R3
			ROW(R3, R11, R10)
			Get R10
			I64Const $16
			I64Shl
			Get R13
			I64Or
			Set R13
			Get R3
			Get R15
			I64Add
			Set R3
			ROW(R3, R12, R14)
			Get R9
			Get R11
			I64Or
			Get R12
			I64Or
			Get R13
			I64Or
			Get R14
			I64Or
			I64Eqz
			If
				Get R6
				I32WrapI64
				Get R7
				I64Store $0
			Else
				SPLAT(R9, V0)
				SPLAT(R11, V1)
				SPLAT(R12, V2)
				SPLAT(R13, V3)
				SPLAT(R14, V4)
				I64Const $0
				Set R8
				Get R4
				I32WrapI64
				Set PC_B
				Get PC_B
				V128Load $752
				Drop
				GROUP(0, 0)
				GROUP(16, 4)
				GROUP(32, 8)
				GROUP(48, 12)
				GROUP(64, 16)
				GROUP(80, 20)
				GROUP(96, 24)
				GROUP(112, 28)
				Get R6
				I32WrapI64
				Get R8
				I64Store $0
			End
			Get R6
			I64Const $8
			I64Add
			Set R6
			Get R2
			I64Const $2
			I64Add
			Set R2
			Get R1
			I64Const $1
			I64Add
			Set R1
			Br $0
		End
		End
		Get R2
		I64Const $4
		I64Add
		Set R2
		Get R0
		I64Const $1
		I64Add
		Set R0
		Br $0
	End
	End
	RET
