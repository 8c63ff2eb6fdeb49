//go:build goexperiment.simd && wasm

#include "textflag.h"

// func b1Run9(xp, recs *uint64, cls *uint8, masks, flat, out *uint64, ho, wo, step, rs, cout, ow int)
// func b1Run5(xp, recs *uint64, cls *uint8, masks, flat, out *uint64, ho, wo, step, rs, cout, ow int)
// b1Plan3.run over a zero-padded image xp (one word a pixel, rs bytes a
// row; each output pixel's window starts step bytes after the last), for
// cout <= 128 channels (ow <= 2 words a pixel). A pixel gathers its nine
// tap words into v128 pairs in b1Order (b1Run5: b1Pair5's words), finds
// whether the taps inside the image (its class's masks) all hold the centre
// word, copies the signs of the class's last such pixel when that had the
// same word (flat: per class [word, ok, two sign words]), and otherwise runs
// the channel loop: per channel the v128 pairs XOR the record's, the halves
// counted with i64x2.extract_lane and i64.popcnt, and
// bit j = (b_j - a_j*pc_j) >> 63, from the class's records (recsByClass).
// Every base address is wrapped to i32 once into PC_B (the one i32 local,
// free in a leaf function) and loaded from at immediate offsets, so that
// wazero checks bounds once per base; lane indexes and store offsets go in
// a second operand (with one the assembler encodes 0).
// Registers: R0 oy, R1 ox, R2 window, R3 rs, R8 out, R9 cls, R10 class,
// R11 centre word, R13 flat; channel loop: R4 record, R5 channels in this
// word, R6 channels left, R7 word, R14 out word, R15 bit; V0-V4 the taps,
// V5 the centre, V8 scratch.

// POP2 pushes the popcount of the v128 at off(PC_B) XOR v.
#define POP2(off, v) \
	Get PC_B; V128Load $(off); Get v; V128Xor; Tee V8; \
	I64x2ExtractLane $0, $0; I64Popcnt; Get V8; I64x2ExtractLane $0, $1; I64Popcnt; I64Add

// PAIR sets v to the v128 (lo, hi) of two i64 pushed by lo and hi.
#define PAIR(v) I64x2ReplaceLane $0, $1; Set v

// ROWBASE wraps the address of window row k (0, 1, 2) into PC_B.
#define ROWBASE(k) Get R2; Get R3; I64Const $(k); I64Mul; I64Add; I32WrapI64; Set PC_B

// FLATMASK ORs into the stack's v128 the XOR of v with the centre V5 masked
// by the class's mask at off(PC_B).
#define FLATMASK(v, off) Get v; Get V5; V128Xor; Get PC_B; V128Load $(off); V128And; V128Or

// SLOT wraps the address of the class's flat slot into PC_B.
#define SLOT Get R10; I64Const $5; I64Shl; I64Load flat+32(FP); I64Add; I32WrapI64; Set PC_B

// COPYFLAT: when the pixel is flat and its class's last flat pixel had the
// same centre word, copy that pixel's signs and leave the pixel's block.
#define COPYFLAT \
	SLOT; \
	Get R13; I32WrapI64; \
	If; \
		Get PC_B; I64Load $8; I32WrapI64; \
		Get PC_B; I64Load $0; Get R11; I64Eq; \
		I32And; \
		If; \
			Get R8; I32WrapI64; Get PC_B; I64Load $16; I64Store $0; \
			I64Load ow+88(FP); I64Const $2; I64Eq; \
			If; Get R8; I32WrapI64; Get PC_B; I64Load $24; I64Store $0, $8; End; \
			Br $2; \
		End; \
	End

// SAVEFLAT records a flat pixel's signs in its class's slot.
#define SAVEFLAT \
	Get R13; I32WrapI64; \
	If; \
		SLOT; \
		Get PC_B; Get R11; I64Store $0; \
		Get PC_B; I64Const $1; I64Store $0, $8; \
		Get PC_B; Get R8; I32WrapI64; I64Load $0; I64Store $0, $16; \
		I64Load ow+88(FP); I64Const $2; I64Eq; \
		If; Get PC_B; Get R8; I32WrapI64; I64Load $8; I64Store $0, $24; End; \
	End

// CHAN ORs into R7 the sign of the channel whose record starts at off(PC_B)
// (slope at off+aoff, constant after it) as bit R15+k, its popcount pushed
// by POPS(off).
#define CHAN(off, aoff, k, POPS) \
	Get PC_B; I64Load $(off+aoff+8); Get PC_B; I64Load $(off+aoff); \
	POPS(off); \
	I64Mul; I64Sub; \
	I64Const $63; I64ShrU; Get R15; I64Const $(k); I64Add; I64Shl; Get R7; I64Or; Set R7

// CHANNELS writes the pixel's ow sign words from the class's records of
// rsz bytes, two channels a step (the second one's loads first, so that
// wazero checks the pair's bounds once), then an odd last one.
#define CHANNELS(rsz, aoff, POPS) \
	Get R10; I64Load cout+80(FP); I64Mul; I64Const $(rsz); I64Mul; I64Load recs+8(FP); I64Add; Set R4; \
	Get R8; Set R14; \
	I64Load cout+80(FP); Set R6; \
	Block; Loop; \
		Get R6; I64Eqz; BrIf $1; \
		I64Const $64; Get R6; Get R6; I64Const $64; I64GtU; Select; Set R5; \
		I64Const $0; Set R7; \
		I64Const $0; Set R15; \
		Block; Loop; \
			Get R15; I64Const $1; I64Add; Get R5; I64GeU; BrIf $1; \
			Get R4; I32WrapI64; Set PC_B; \
			CHAN(rsz, aoff, 1, POPS); \
			CHAN(0, aoff, 0, POPS); \
			Get R4; I64Const $(2*rsz); I64Add; Set R4; \
			Get R15; I64Const $2; I64Add; Set R15; \
			Br $0; \
		End; End; \
		Get R15; Get R5; I64LtU; \
		If; \
			Get R4; I32WrapI64; Set PC_B; \
			CHAN(0, aoff, 0, POPS); \
			Get R4; I64Const $(rsz); I64Add; Set R4; \
		End; \
		Get R14; I32WrapI64; Get R7; I64Store $0; \
		Get R14; I64Const $8; I64Add; Set R14; \
		Get R6; Get R5; I64Sub; Set R6; \
		Br $0; \
	End; End

#define POPS9(o) POP2(o+0, V0); POP2(o+16, V1); I64Add; POP2(o+32, V2); I64Add; POP2(o+48, V3); I64Add; POP2(o+64, V4); I64Add
#define POPS5(o) POP2(o+0, V0); POP2(o+16, V1); I64Add; POP2(o+32, V2); I64Add

// GATHER9 loads the taps as (t0,t1) (t3,t4) (t6,t7) (t2,t5) (t8,0) into
// V0-V4 and the centre t4 into R11.
#define GATHER9 \
	ROWBASE(0); Get PC_B; V128Load $0; Set V0; Get PC_B; I64Load $16; Set R12; \
	ROWBASE(1); Get PC_B; V128Load $0; Set V1; Get PC_B; I64Load $8; Set R11; Get PC_B; I64Load $16; Set R14; \
	ROWBASE(2); Get PC_B; V128Load $0; Set V2; Get PC_B; I64Load $16; Set R15; \
	Get R12; I64x2Splat; Get R14; PAIR(V3); \
	Get R15; I64x2Splat; I64Const $0; PAIR(V4); \
	Get R11; I64x2Splat; Set V5

// GATHER5 loads the taps of at most 32 bits paired as b1Pair5 pairs them,
// (t0|t1<<32, t3|t4<<32) (t6|t7<<32, t2|t5<<32) (t8, 0), into V0-V2, the
// centre into R11 and V5 (both halves).
#define GATHER5 \
	ROWBASE(0); Get PC_B; I64Load $0; Get PC_B; I64Load $8; I64Const $32; I64Shl; I64Or; Set R4; \
	Get PC_B; I64Load $16; Set R5; \
	ROWBASE(1); Get PC_B; I64Load $8; Set R11; \
	Get PC_B; I64Load $0; Get R11; I64Const $32; I64Shl; I64Or; Set R6; \
	Get PC_B; I64Load $16; Set R7; \
	ROWBASE(2); Get PC_B; I64Load $0; Get PC_B; I64Load $8; I64Const $32; I64Shl; I64Or; Set R12; \
	Get PC_B; I64Load $16; Set R14; \
	Get R4; I64x2Splat; Get R6; PAIR(V0); \
	Get R12; I64x2Splat; Get R5; Get R7; I64Const $32; I64Shl; I64Or; PAIR(V1); \
	Get R14; I64x2Splat; I64Const $0; PAIR(V2); \
	Get R11; Get R11; I64Const $32; I64Shl; I64Or; I64x2Splat; Set V5

// FLAT9 and FLAT5 set R13 to 1 when the taps inside all hold the centre word.
#define FLAT9 \
	Get R10; I64Const $80; I64Mul; I64Load masks+24(FP); I64Add; I32WrapI64; Set PC_B; \
	Get V0; Get V5; V128Xor; Get PC_B; V128Load $0; V128And; \
	FLATMASK(V1, 16); FLATMASK(V2, 32); FLATMASK(V3, 48); FLATMASK(V4, 64); \
	V128AnyTrue; I32Eqz; I64ExtendI32U; Set R13

#define FLAT5 \
	Get R10; I64Const $48; I64Mul; I64Load masks+24(FP); I64Add; I32WrapI64; Set PC_B; \
	Get V0; Get V5; V128Xor; Get PC_B; V128Load $0; V128And; \
	FLATMASK(V1, 16); FLATMASK(V2, 32); \
	V128AnyTrue; I32Eqz; I64ExtendI32U; Set R13

// RUN is the pixel loop around one pixel's code BODY.
#define RUN(BODY) \
	I64Load rs+72(FP); Set R3; \
	I64Load out+40(FP); Set R8; \
	I64Load cls+16(FP); Set R9; \
	I64Const $0; Set R0; \
	Block; Loop; \
		Get R0; I64Load ho+48(FP); I64Eq; BrIf $1; \
		Get R0; I64Load step+64(FP); I64Mul; I64Const $3; I64ShrU; Get R3; I64Mul; I64Load xp+0(FP); I64Add; Set R2; \
		I64Const $0; Set R1; \
		Block; Loop; \
			Get R1; I64Load wo+56(FP); I64Eq; BrIf $1; \
			Block; \
				Get R9; I32WrapI64; I64Load8U $0; Set R10; \
				BODY; \
			End; \
			Get R8; I64Load ow+88(FP); I64Const $3; I64Shl; I64Add; Set R8; \
			Get R9; I64Const $1; I64Add; Set R9; \
			Get R2; I64Load step+64(FP); I64Add; Set R2; \
			Get R1; I64Const $1; I64Add; Set R1; \
			Br $0; \
		End; End; \
		Get R0; I64Const $1; I64Add; Set R0; \
		Br $0; \
	End; End

#define BODY9 GATHER9; FLAT9; COPYFLAT; CHANNELS(96, 80, POPS9); SAVEFLAT
#define BODY5 GATHER5; FLAT5; COPYFLAT; CHANNELS(64, 48, POPS5); SAVEFLAT

TEXT ·b1Run9(SB), NOSPLIT, $0-96
	RUN(BODY9)
	RET

TEXT ·b1Run5(SB), NOSPLIT, $0-96
	RUN(BODY5)
	RET
