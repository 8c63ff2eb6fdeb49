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
// each output pixel's window), so there is no im2col. A 4x8 register tile (V0-V7: row r's channels 0-3 in V(2r), 4-7
// in V(2r+1)): per pair of k, the two v128 of the panel (V8, V9) are
// multiplied by each row's activation pair broadcast to all lanes (V10)
// with i32x4.dot_i16x8_s, which gives four channel sums at once. Each
// iteration takes two pairs: one i64 load a row (R9-R12, both pairs), the
// panel's four v128 at immediate offsets from PC_B (the one i32 local,
// free in a leaf function), so wazero checks bounds once per base.
// With ep not nil, each tile is stored as the float32 bits of the
// epilogue float32(float32(sum - zc)*scale) + bias (epilogueF32Ref's
// operations), from ep's 24 values a panel: zc (int32 bits), scale, bias.
// Registers: R0 iterations left, R1-R4 the rows, R5 the panel data (the
// panels and their runs are contiguous, so it runs on), R6 panels left,
// R7 acc, R8 ldc, R13 a, R14 rows, R15 the tap entry.

// ROW adds row pair x (an i32 on the stack) times the panel's V8, V9 into
// lo, hi.
#define ROW(lo, hi) I32x4Splat; Tee V10; Get V8; I32x4DotI16x8S; Get lo; I32x4Add; Set lo; Get V10; Get V9; I32x4DotI16x8S; Get hi; I32x4Add; Set hi

// PANEL loads the panel's pair at off into V8, V9.
#define PANEL(off) Get PC_B; V128Load $(off); Set V8; Get PC_B; V128Load $(off+16); Set V9

// LO and HI push the first and second pair of the i64 in reg.
#define LO(reg) Get reg; I32WrapI64
#define HI(reg) Get reg; I64Const $32; I64ShrU; I32WrapI64

// LOADROW loads 4 int16 of the row at ptr into reg and advances ptr.
#define LOADROW(ptr, reg) Get ptr; I32WrapI64; I64Load $0; Set reg; Get ptr; I64Const $8; I64Add; Set ptr

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
		LOADROW(R1, R9)
		LOADROW(R2, R10)
		LOADROW(R3, R11)
		LOADROW(R4, R12)
		Get R5
		I32WrapI64
		Set PC_B
		PANEL(0)
		LO(R9); ROW(V0, V1)
		LO(R10); ROW(V2, V3)
		LO(R11); ROW(V4, V5)
		LO(R12); ROW(V6, V7)
		PANEL(32)
		HI(R9); ROW(V0, V1)
		HI(R10); ROW(V2, V3)
		HI(R11); ROW(V4, V5)
		HI(R12); ROW(V6, V7)
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
