//go:build goexperiment.simd && wasm

#include "textflag.h"
#include "exp_f32_wasm.h"

// func gnVec(hw, c4 int, x, y *float32, prm *float32, c *[12]float32, silu int)
// y = float32(float32((x - mean)*rstd)*gamma) + beta over hw pixels of
// 4*c4 channels, then, when silu is not 0, y / (1 + exp(-y)) (SILU12):
// group norm and SiLU in one pass over memory, with groupNormRef's and
// siluRef's operations in their order (bit-exact). prm holds per four
// channels four vectors: mean, rstd, gamma, beta, read at immediate
// offsets from PC_B (one bounds check per four channels).
// Registers: V0-V11 ExpF32's constants, V12 the value, V13 V14 scratch;
// R0 pixels left, R1 x, R2 y, R3 prm entry, R4 channel vectors left.
TEXT ·gnVec(SB), NOSPLIT, $0-56
	I64Load c+40(FP)
	I32WrapI64
	Set PC_B
	EXPCONSTS
	I64Load hw+0(FP)
	Set R0
	I64Load x+16(FP)
	Set R1
	I64Load y+24(FP)
	Set R2
	Block
	Loop
	Get R0
	I64Eqz
	BrIf $1
	I64Load prm+32(FP)
	Set R3
	I64Load c4+8(FP)
	Set R4
	Block
	Loop
		Get R4
		I64Eqz
		BrIf $1
		Get R3
		I32WrapI64
		Set PC_B
		Get R1
		I32WrapI64
		V128Load $0
		Get PC_B
		V128Load $0
		F32x4Sub
		Get PC_B
		V128Load $16
		F32x4Mul
		Get PC_B
		V128Load $32
		F32x4Mul
		Get PC_B
		V128Load $48
		F32x4Add
		Set V12
		I64Load silu+48(FP)
		I64Eqz
		I32Eqz
		If
		SILU12
		End
		Get R2
		I32WrapI64
		Get V12
		V128Store $0
		Get R1
		I64Const $16
		I64Add
		Set R1
		Get R2
		I64Const $16
		I64Add
		Set R2
		Get R3
		I64Const $64
		I64Add
		Set R3
		Get R4
		I64Const $1
		I64Sub
		Set R4
		Br $0
	End
	End
	Get R0
	I64Const $1
	I64Sub
	Set R0
	Br $0
	End
	End
	RET
