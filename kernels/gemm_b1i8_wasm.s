//go:build goexperiment.simd && wasm

#include "textflag.h"

// func gemmB1I8Row(a *uint64, k16 int, wp *int8, tab *[256][8]int16, acc *[12][4]int32)
// acc[n] (four lanes) = S[0:16*k16] x W[:, n] for 12 output channels: each
// 16 inputs' two sign bytes become two i16x8 of ±1 (tab), and each
// channel's 16 weights (wp, [k16][12][16] int8), sign-extended to i16 halves,
// meet them in i32x4.dot_i16x8_s. The weights of a block are loaded at
// immediate offsets from one address held in PC_B, the last channel first,
// so wazero checks their bounds once.
// Registers: R0 a, R1 wp, R2 tab, R3 blocks left, R4 the sign bytes,
// V0-V11 the accumulators, V12 V13 the signs, V14 scratch.

// CLASS adds channel n's products of the block into v.
#define CLASS(n, v) \
	Get PC_B; V128Load $(16*(n)); Tee V14; I16x8ExtendLowI8x16S; Get V12; I32x4DotI16x8S; \
	Get V14; I16x8ExtendHighI8x16S; Get V13; I32x4DotI16x8S; I32x4Add; \
	Get v; I32x4Add; Set v

// SIGNS sets v to the sign lanes (tab) of the byte on the stack.
#define SIGNS(v) I64Const $4; I64Shl; Get R2; I64Add; I32WrapI64; V128Load $0; Set v

// STORE writes accumulator v to channel n's lanes of acc.
#define STORE(n, v) Get PC_B; Get v; V128Store $0, $(16*(n))

TEXT ·gemmB1I8Row(SB), NOSPLIT, $0-40
	I64Load a+0(FP)
	Set R0
	I64Load k16+8(FP)
	Set R3
	I64Load wp+16(FP)
	Set R1
	I64Load tab+24(FP)
	Set R2
	I32Const $0
	I32x4Splat
	Tee V0
	Tee V1
	Tee V2
	Tee V3
	Tee V4
	Tee V5
	Tee V6
	Tee V7
	Tee V8
	Tee V9
	Tee V10
	Set V11
	Block
	Loop
		Get R3
		I64Eqz
		BrIf $1
		Get R0
		I32WrapI64
		I64Load16U $0
		Set R4
		Get R4
		I64Const $255
		I64And
		SIGNS(V12)
		Get R4
		I64Const $8
		I64ShrU
		SIGNS(V13)
		Get R1
		I32WrapI64
		Set PC_B
		CLASS(11, V11)
		CLASS(10, V10)
		CLASS(9, V9)
		CLASS(8, V8)
		CLASS(7, V7)
		CLASS(6, V6)
		CLASS(5, V5)
		CLASS(4, V4)
		CLASS(3, V3)
		CLASS(2, V2)
		CLASS(1, V1)
		CLASS(0, V0)
		Get R0
		I64Const $2
		I64Add
		Set R0
		Get R1
		I64Const $192
		I64Add
		Set R1
		Get R3
		I64Const $1
		I64Sub
		Set R3
		Br $0
	End
	End
	I64Load acc+32(FP)
	I32WrapI64
	Set PC_B
	STORE(11, V11)
	STORE(10, V10)
	STORE(9, V9)
	STORE(8, V8)
	STORE(7, V7)
	STORE(6, V6)
	STORE(5, V5)
	STORE(4, V4)
	STORE(3, V3)
	STORE(2, V2)
	STORE(1, V1)
	STORE(0, V0)
	RET
