//go:build goexperiment.simd && wasm

#include "textflag.h"

// func siluVec(n4 int, x, y *float32, c *[12]float32)
// y[0:4*n4] = x / (1 + exp(-x)) four lanes at a time, exp being
// ExpF32 operation for operation, so the bits equal siluRef's.
// The constants c (lo, hi, log2e, ln2hi, ln2lo, P0..P5, 1) stay in
// V0-V11 for the whole loop: as Go, every broadcast was rebuilt and
// every vector went through the stack in each iteration.
// Registers: V0 lo, V1 hi, V2 log2e, V3 ln2hi, V4 ln2lo, V5-V9 P1-P5,
// V10 1, V11 P0, V12 x, V13 n, V14 r; R0 vectors left, R1 x, R2 y.

// CONST splats the float32 at off(PC_B) into v.
#define CONST(off, v) Get PC_B; F32Load $(off); F32x4Splat; Set v

// HORNER multiplies the stack's vector by r (V14) and adds c.
#define HORNER(c) Get V14; F32x4Mul; Get c; F32x4Add

TEXT ·siluVec(SB), NOSPLIT, $0-32
	I64Load c+24(FP)
	I32WrapI64
	Set PC_B
	CONST(0, V0)
	CONST(4, V1)
	CONST(8, V2)
	CONST(12, V3)
	CONST(16, V4)
	CONST(20, V11)
	CONST(24, V5)
	CONST(28, V6)
	CONST(32, V7)
	CONST(36, V8)
	CONST(40, V9)
	CONST(44, V10)
	I64Load n4+0(FP)
	Set R0
	I64Load x+8(FP)
	Set R1
	I64Load y+16(FP)
	Set R2
	Block
	Loop
		Get R0
		I64Eqz
		BrIf $1
		Get R1
		I32WrapI64
		V128Load $0
		Tee V12
		F32x4Neg
		Get V0
		F32x4Max
		Get V1
		F32x4Min
		Tee V14
		Get V2
		F32x4Mul
		F32x4Nearest
		Set V13
		Get V14
		Get V13
		Get V3
		F32x4Mul
		F32x4Sub
		Get V13
		Get V4
		F32x4Mul
		F32x4Sub
		Set V14
		Get R2
		I32WrapI64
		Get V12
		Get V11
		HORNER(V5)
		HORNER(V6)
		HORNER(V7)
		HORNER(V8)
		HORNER(V9)
		Get V14
		Get V14
		F32x4Mul
		F32x4Mul
		Get V14
		F32x4Add
		Get V10
		F32x4Add
		Get V13
		I32x4TruncSatF32x4S
		I32Const $127
		I32x4Splat
		I32x4Add
		I32Const $23
		I32x4Shl
		F32x4Mul
		Get V10
		F32x4Add
		F32x4Div
		V128Store $0
		Get R1
		I64Const $16
		I64Add
		Set R1
		Get R2
		I64Const $16
		I64Add
		Set R2
		Get R0
		I64Const $1
		I64Sub
		Set R0
		Br $0
	End
	End
	RET
