//go:build goexperiment.simd && wasm

#include "textflag.h"
#include "loop_wasm.h"

// func gemmI16P4x8(kq int, a *int16, rows *int, taps *int64, ntaps int, pw *int16, npan int, acc *int32, ldc int, ep *float32)
// acc[0:4, 0:8*npan] (row stride ldc bytes) = the products of 4 rows of
// int16 activations with the npan panels at pw (I16Panels layout). Row r
// starts rows[r] int16 values after a, and its K values are ntaps runs of
// 4*kq values, run t starting taps[t] bytes after the row's start: one
// run (tap 0) for a plain product, nine for a 3x3 convolution read
// straight from a padded image (taps = the window's pixel offsets, rows =
// each output pixel's window), so there is no im2col. A 4x8 register
// tile (V0-V7: row r's channels 0-3 in V(2r), 4-7 in V(2r+1)): per pair
// of k, the two v128 of the panel are multiplied by each row's activation
// pair broadcast to all lanes (v128.load32_splat, one instruction in V8)
// with i32x4.dot_i16x8_s, which gives four channel sums at once. Each
// iteration takes two pairs: the panel's four v128 (V8, V9, V11, V12) at
// immediate offsets from PC_B (the one i32 local, free in a leaf
// function), then each row's two pairs at offsets from it, so wazero
// checks bounds once per base.
// With ep not nil, each tile is stored as the float32 bits of the
// epilogue float32(float32(sum - zc)*scale) + bias (epilogueF32Ref's
// operations), from ep's 24 values a panel: zc (int32 bits), scale, bias.
// Registers: R0 iterations left, R1-R4 the rows, R5 the panel data (the
// panels and their runs are contiguous, so it runs on), R6 panels left,
// R7 acc, R8 ldc, R13 a, R14 rows, R15 the tap entry.

// ROW adds the row pair broadcast on the stack times the panel pair pa,
// pb into lo, hi.
#define ROW(lo, hi, pa, pb) Tee V10; Get pa; I32x4DotI16x8S; Get lo; I32x4Add; Set lo; Get V10; Get pb; I32x4DotI16x8S; Get hi; I32x4Add; Set hi

// PANEL loads the panel's pair at off (from PC_B) into va, vb.
#define PANEL(off, va, vb) Get PC_B; V128Load $(off); Set va; Get PC_B; V128Load $(off+16); Set vb

// PAIRS adds the row at ptr's two pairs times the panel (V8, V9 and V11,
// V12) into lo, hi and advances ptr: each pair is broadcast to all lanes
// straight from memory (v128.load32_splat) at an offset from PC_B.
#define PAIRS(ptr, lo, hi) Get ptr; I32WrapI64; Set PC_B; Get PC_B; SPLAT32; ROW(lo, hi, V8, V9); Get PC_B; I32Const $4; I32Add; SPLAT32; ROW(lo, hi, V11, V12); ADDI(ptr, 8)

// EPI applies the epilogue of the four channels at off (0 or 16) of the
// panel's ep entry at PC_B to v.
#define EPI(v, off) Get v; Get PC_B; V128Load $(off); I32x4Sub; F32x4ConvertI32x4S; Get PC_B; V128Load $(off+32); F32x4Mul; Get PC_B; V128Load $(off+64); F32x4Add; Set v

// ROWAT adds the byte offset of the row start at off in the rows table
// (R14: int64 element offsets) to the address on the stack.
#define ROWAT(off) Get R14; I32WrapI64; I64Load $(off); I64Const $1; I64Shl; I64Add

// STORE2 stores lo, hi at the address on the stack plus 0 and 16.
#define STORE2(lo, hi) I32WrapI64; Set PC_B; Get PC_B; Get lo; V128Store $0; Get PC_B; Get hi; V128Store $0, $16

TEXT ·gemmI16P4x8(SB), NOSPLIT, $0-80
	I64Load a+8(FP)
	Set R13
	I64Load rows+16(FP)
	Set R14
	I64Load pw+40(FP)
	Set R5
	I64Load npan+48(FP)
	Set R6
	I64Load acc+56(FP)
	Set R7
	I64Load ldc+64(FP)
	Set R8
	Block
	Loop
	Get R6
	I64Eqz
	BrIf $1
	I32Const $0
	I32x4Splat
	Tee V0
	Tee V1
	Tee V2
	Tee V3
	Tee V4
	Tee V5
	Tee V6
	Set V7
	I64Load taps+24(FP)
	Set R15
	Block
	Loop
	Get R15
	I64Load taps+24(FP)
	I64Load ntaps+32(FP)
	I64Const $3
	I64Shl
	I64Add
	I64Eq
	BrIf $1
	I64Load kq+0(FP)
	Set R0
	Get R15
	I32WrapI64
	I64Load $0
	Get R13
	I64Add
	Set R1
	Get R1
	ROWAT(8)
	Set R2
	Get R1
	ROWAT(16)
	Set R3
	Get R1
	ROWAT(24)
	Set R4
	Get R1
	ROWAT(0)
	Set R1
	Block
	Loop
		Get R0
		I64Eqz
		BrIf $1
		Get R5
		I32WrapI64
		Set PC_B
		PANEL(0, V8, V9)
		PANEL(32, V11, V12)
		PAIRS(R1, V0, V1)
		PAIRS(R2, V2, V3)
		PAIRS(R3, V4, V5)
		PAIRS(R4, V6, V7)
		ADDI(R5, 64)
		DECR(R0)
		Br $0
	End
	End
	ADDI(R15, 8)
	Br $0
	End
	End
	I64Load ep+72(FP)
	I64Eqz
	I32Eqz
	If
		I64Load ep+72(FP)
		I64Load npan+48(FP)
		Get R6
		I64Sub
		I64Const $96
		I64Mul
		I64Add
		I32WrapI64
		Set PC_B
		EPI(V0, 0)
		EPI(V1, 16)
		EPI(V2, 0)
		EPI(V3, 16)
		EPI(V4, 0)
		EPI(V5, 16)
		EPI(V6, 0)
		EPI(V7, 16)
	End
	Get R7
	STORE2(V0, V1)
	Get R7
	Get R8
	I64Add
	STORE2(V2, V3)
	Get R7
	Get R8
	I64Const $1
	I64Shl
	I64Add
	STORE2(V4, V5)
	Get R7
	Get R8
	I64Const $3
	I64Mul
	I64Add
	STORE2(V6, V7)
	ADDI(R7, 32)
	DECR(R6)
	Br $0
	End
	End
	RET
