//go:build goexperiment.simd && wasm

#include "textflag.h"
#include "loop_wasm.h"

// func quantVec(n16 int, x *float32, q *int8, c *[2]float32)
// q[0:16*n16] = clamp(RoundToEven(x*inv) + zero, -128, 127) with c =
// {inv, zero}: f32x4.nearest rounds half to even, the saturating
// conversion gives NaN 0, and the two saturating narrows (i32 -> i16 ->
// i8) are the clamp, so the bytes equal quantizeRef's. In Go the archsimd
// loop narrowed with four swizzles and rebuilt its constants every
// iteration.
// Registers: V0 inv, V1 zero, V2-V5 the four i32x4; R0 blocks of 16
// left, R1 x, R2 q.
#define CONV(off, v) Get PC_B; V128Load $(off); Get V0; F32x4Mul; F32x4Nearest; Get V1; F32x4Add; I32x4TruncSatF32x4S; Set v

TEXT ·quantVec(SB), NOSPLIT, $0-32
	I64Load c+24(FP)
	I32WrapI64
	Set PC_B
	Get PC_B
	F32Load $0
	F32x4Splat
	Set V0
	Get PC_B
	F32Load $4
	F32x4Splat
	Set V1
	I64Load n16+0(FP)
	Set R0
	I64Load x+8(FP)
	Set R1
	I64Load q+16(FP)
	Set R2
	Block
	Loop
		Get R0
		I64Eqz
		BrIf $1
		Get R1
		I32WrapI64
		Set PC_B
		CONV(0, V2)
		CONV(16, V3)
		CONV(32, V4)
		CONV(48, V5)
		Get R2
		I32WrapI64
		Get V2
		Get V3
		I16x8NarrowI32x4S
		Get V4
		Get V5
		I16x8NarrowI32x4S
		I8x16NarrowI16x8S
		V128Store $0
		ADDI(R1, 64)
		ADDI(R2, 16)
		DECR(R0)
		Br $0
	End
	End
	RET
