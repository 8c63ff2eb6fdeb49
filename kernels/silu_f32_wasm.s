//go:build goexperiment.simd && wasm

#include "textflag.h"
#include "loop_wasm.h"
#include "exp_f32_wasm.h"

// func siluVec(n4 int, x, y *float32, c *[12]float32)
// y[0:4*n4] = x / (1 + exp(-x)) four lanes at a time (SILU12), so the
// bits equal siluRef's. The constants c stay in V0-V11 for the whole
// loop: as Go, every broadcast was rebuilt and every vector went through
// the stack in each iteration.
// Registers: V0-V11 constants, V12 x, V13 V14 scratch; R0 vectors left,
// R1 x, R2 y.
TEXT ·siluVec(SB), NOSPLIT, $0-32
	I64Load c+24(FP)
	I32WrapI64
	Set PC_B
	EXPCONSTS
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
		Set V12
		SILU12
		Get R2
		I32WrapI64
		Get V12
		V128Store $0
		ADDI(R1, 16)
		ADDI(R2, 16)
		DECR(R0)
		Br $0
	End
	End
	RET
