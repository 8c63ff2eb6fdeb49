//go:build goexperiment.simd && wasm

#include "textflag.h"
#include "loop_wasm.h"
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
		ADDI(R1, 16)
		ADDI(R2, 16)
		ADDI(R3, 64)
		DECR(R4)
		Br $0
	End
	End
	DECR(R0)
	Br $0
	End
	End
	RET

// LANE adds lane i of v, promoted to float64, to the float64 at off(PC_B).
#define LANE(v, i, off) Get PC_B; Get PC_B; F64Load $(off); Get v; F32x4ExtractLane $0, $(i); F64PromoteF32; F64Add; F64Store $0, $(off)

// func gnSums(hw, c4 int, x *float32, s, ss *float64)
// chanSumsWasm's loops: for each chunk of gnChunk (16) pixels and each
// four channels, the float32 sums of x (V0) and of x*x (V1) over the
// chunk's pixels in order, each lane then promoted to float64 and added to
// s (ss) of its channel: chanSumsRef's operations, channels in lanes.
// Registers: R0 pixels left, R1 this chunk's pixels, R2 channel vectors
// left, R3 x at the chunk, R4 the value, R5 pixel stride (16*c4 bytes),
// R6 s entry, R7 ss entry, R8 pixels left in the chunk.
TEXT ·gnSums(SB), NOSPLIT, $0-40
	I64Load hw+0(FP)
	Set R0
	I64Load x+16(FP)
	Set R3
	I64Load c4+8(FP)
	I64Const $4
	I64Shl
	Set R5
	Block
	Loop
	Get R0
	I64Eqz
	BrIf $1
	Get R0
	I64Const $16
	Get R0
	I64Const $16
	I64LtU
	Select
	Set R1
	I64Load c4+8(FP)
	Set R2
	I64Load s+24(FP)
	Set R6
	I64Load ss+32(FP)
	Set R7
	Block
	Loop
		Get R2
		I64Eqz
		BrIf $1
		I32Const $0
		I32x4Splat
		Tee V0
		Set V1
		Get R3
		Set R4
		Get R1
		Set R8
		Block
		Loop
			Get R8
			I64Eqz
			BrIf $1
			Get R4
			I32WrapI64
			V128Load $0
			Tee V2
			Get V0
			F32x4Add
			Set V0
			Get V1
			Get V2
			Get V2
			F32x4Mul
			F32x4Add
			Set V1
			Get R4
			Get R5
			I64Add
			Set R4
			DECR(R8)
			Br $0
		End
		End
		Get R6
		I32WrapI64
		Set PC_B
		LANE(V0, 0, 0)
		LANE(V0, 1, 8)
		LANE(V0, 2, 16)
		LANE(V0, 3, 24)
		Get R7
		I32WrapI64
		Set PC_B
		LANE(V1, 0, 0)
		LANE(V1, 1, 8)
		LANE(V1, 2, 16)
		LANE(V1, 3, 24)
		ADDI(R3, 16)
		ADDI(R6, 32)
		ADDI(R7, 32)
		DECR(R2)
		Br $0
	End
	End
	// x moved 16*c4 bytes (one pixel) over the channel loop: on to the next chunk
	Get R3
	Get R5
	Get R1
	I64Const $1
	I64Sub
	I64Mul
	I64Add
	Set R3
	Get R0
	Get R1
	I64Sub
	Set R0
	Br $0
	End
	End
	RET
