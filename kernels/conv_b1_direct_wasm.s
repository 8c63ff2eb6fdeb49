//go:build goexperiment.simd && wasm

#include "textflag.h"

// func b1Word9(gw *[10]uint64, recs *b1Rec9, bs *int64, n int) uint64
// func b1Word5(gw *[6]uint64, recs *b1Rec5, bs *int64, n int) uint64
// The signs of n <= 64 channels of one pixel (bit j = (bs[j] - a_j*pc_j) >> 63,
// pc_j the popcount of the tap words gw XOR channel j's words): the words are
// XORed two at a time in v128 and the halves counted with i64x2.extract_lane
// and i64.popcnt. All loads of a channel use immediate offsets from one
// pointer, so wazero checks their bounds once. Lane indexes and other
// immediates that belong in the destination operand are written as a second
// operand ("I64x2ExtractLane $0, $1"): with one operand the assembler
// encodes 0.
// Registers: R1 recs, R2 bs, R3 n, R4 bit index, R5 word, R6 pc,
// V0-V4 the tap words, V8 scratch.

// POP2 pushes the popcount of the v128 at off(R1) XOR v.
#define POP2(off, v) \
	Get PC_B; V128Load $(off); Get v; V128Xor; Tee V8; \
	I64x2ExtractLane $0, $0; I64Popcnt; Get V8; I64x2ExtractLane $0, $1; I64Popcnt; I64Add

// LOADG sets v to the v128 at off(gw).
#define LOADG(off, v) I64Load gw+0(FP); I32WrapI64; V128Load $(off); Set v

// SIGN ORs channel R4's sign into R5 (slope at aoff(R1)) and steps to the
// next record (size rsz).
#define SIGN(aoff, rsz) \
	Set R6; \
	Get R2; I32WrapI64; I64Load $0; Get PC_B; I64Load $(aoff); Get R6; I64Mul; I64Sub; \
	I64Const $63; I64ShrU; Get R4; I64Shl; Get R5; I64Or; Set R5; \
	Get R1; I64Const $(rsz); I64Add; Set R1; \
	Get R2; I64Const $8; I64Add; Set R2; \
	Get R4; I64Const $1; I64Add; Set R4

#define PROLOGUE \
	I64Load recs+8(FP); Set R1; \
	I64Load bs+16(FP); Set R2; \
	I64Load n+24(FP); Set R3; \
	I64Const $0; Set R4; \
	I64Const $0; Set R5

TEXT ·b1Word9(SB), NOSPLIT, $0-40
	LOADG(0, V0)
	LOADG(16, V1)
	LOADG(32, V2)
	LOADG(48, V3)
	LOADG(64, V4)
	PROLOGUE
	Block
	Loop
		Get R4
		Get R3
		I64Eq
		BrIf $1
		Get R1
		I32WrapI64
		Set PC_B
		POP2(0, V0)
		POP2(16, V1)
		I64Add
		POP2(32, V2)
		I64Add
		POP2(48, V3)
		I64Add
		POP2(64, V4)
		I64Add
		SIGN(80, 88)
		Br $0
	End
	End
	Get SP
	Get R5
	I64Store ret+32(FP)
	RET

TEXT ·b1Word5(SB), NOSPLIT, $0-40
	LOADG(0, V0)
	LOADG(16, V1)
	LOADG(32, V2)
	PROLOGUE
	Block
	Loop
		Get R4
		Get R3
		I64Eq
		BrIf $1
		Get R1
		I32WrapI64
		Set PC_B
		POP2(0, V0)
		POP2(16, V1)
		I64Add
		POP2(32, V2)
		I64Add
		SIGN(48, 56)
		Br $0
	End
	End
	Get SP
	Get R5
	I64Store ret+32(FP)
	RET
