//go:build goexperiment.simd && wasm

#include "textflag.h"

// func gemmI8Panel2(k16, k, n2 int, a, wt *int8, acc *int32, ldc int, scr *[4]int32)
// acc[0:2, 0:n2] (row stride ldc) = A[0:2, :16*k16] x WT[0:n2, :16*k16]^T,
// A rows and WT rows k bytes apart, in 2x2 tiles: each 16 bytes are
// sign-extended to two i16x8 halves and multiplied pairwise into i32
// lanes by i32x4.dot_i16x8_s (one pmaddwd on x86; archsimd does not offer
// it). One call a row pair: a Go call per tile cost as much as the tile.
// Registers: R0 k16 countdown, R1-R4 a0 a1 w0 w1, R5 pairs left, R6 WT
// pair, R7 acc, R8 k, R9 ldc in bytes, R10 a, R11 scr (an accumulator is
// summed through scr: lane immediates and store offsets come from an
// operand this assembler syntax does not set, so both stay 0).
// LOAD16 loads 16 bytes at ptr and sign-extends them to i16 halves lo, hi.
#define LOAD16(ptr, lo, hi) Get ptr; I32WrapI64; V128Load $0; Tee V12; I16x8ExtendLowI8x16S; Set lo; Get V12; I16x8ExtendHighI8x16S; Set hi

// DOT2 adds the pairwise products of (alo, ahi) and (wlo, whi) into acc.
#define DOT2(acc, alo, ahi, wlo, whi) Get acc; Get alo; Get wlo; I32x4DotI16x8S; I32x4Add; Get ahi; Get whi; I32x4DotI16x8S; I32x4Add; Set acc

// ADD16 advances the pointer in reg by 16 bytes.
#define ADD16(reg) Get reg; I64Const $16; I64Add; Set reg

// HSUM stores the sum of v's four lanes as an int32 at the address on the
// stack, through the scratch vector at R11.
#define HSUM(v) Get R11; I32WrapI64; Get v; V128Store $0; Get R11; I32WrapI64; I32Load $0; Get R11; I32WrapI64; I32Load $4; I32Add; Get R11; I32WrapI64; I32Load $8; I32Add; Get R11; I32WrapI64; I32Load $12; I32Add; I32Store $0

TEXT ·gemmI8Panel2(SB), NOSPLIT, $0-64
	I64Load scr+56(FP)
	Set R11
	I64Load k+8(FP)
	Set R8
	I64Load n2+16(FP)
	I64Const $1
	I64ShrU
	Set R5
	I64Load a+24(FP)
	Set R10
	I64Load wt+32(FP)
	Set R6
	I64Load acc+40(FP)
	Set R7
	I64Load ldc+48(FP)
	I64Const $2
	I64Shl
	Set R9
	Block
	Loop
	Get R5
	I64Eqz
	BrIf $1
	I64Load k16+0(FP)
	Set R0
	Get R10
	Set R1
	Get R10
	Get R8
	I64Add
	Set R2
	Get R6
	Set R3
	Get R6
	Get R8
	I64Add
	Set R4
	I32Const $0
	I32x4Splat
	Tee V0
	Tee V1
	Tee V2
	Set V3
	Block
	Loop
		Get R0
		I64Eqz
		BrIf $1
		LOAD16(R1, V4, V5)
		LOAD16(R2, V6, V7)
		LOAD16(R3, V8, V9)
		LOAD16(R4, V10, V11)
		DOT2(V0, V4, V5, V8, V9)
		DOT2(V1, V4, V5, V10, V11)
		DOT2(V2, V6, V7, V8, V9)
		DOT2(V3, V6, V7, V10, V11)
		ADD16(R1)
		ADD16(R2)
		ADD16(R3)
		ADD16(R4)
		Get R0
		I64Const $1
		I64Sub
		Set R0
		Br $0
	End
	End
	Get R7
	I32WrapI64
	HSUM(V0)
	Get R7
	I32WrapI64
	I32Const $4
	I32Add
	HSUM(V1)
	Get R7
	Get R9
	I64Add
	I32WrapI64
	HSUM(V2)
	Get R7
	Get R9
	I64Add
	I32WrapI64
	I32Const $4
	I32Add
	HSUM(V3)
	Get R6
	Get R8
	I64Const $1
	I64Shl
	I64Add
	Set R6
	Get R7
	I64Const $8
	I64Add
	Set R7
	Get R5
	I64Const $1
	I64Sub
	Set R5
	Br $0
	End
	End
	RET
