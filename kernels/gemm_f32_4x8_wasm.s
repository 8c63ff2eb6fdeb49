//go:build goexperiment.simd && wasm

#include "textflag.h"
#include "loop_wasm.h"

// func gemmF32Rows4(k int, a *float32, lda int, b *float32, ldb int, npan int, c *float32, ldc int)
// C[0:4, 0:8*npan] += A[0:4, :k] x B[:k, 0:8*npan], row strides lda, ldb,
// ldc in bytes: a 4x8 tile (V0-V7, row r's columns
// 0-3 in V(2r), 4-7 in V(2r+1)) with Go's former archsimd tile's float32
// operations in its order (c + a*b, k ascending), one call for four rows and all
// panels. B's eight values at k load at immediate offsets from PC_B.
// Registers: R0 k left, R1-R4 the rows of A, R5 B at k, R6 panels left,
// R7 C, R8 ldc, R9 ldb, R13 a, R14 lda, R15 B's panel.

// ROW adds a (broadcast on the stack) times V8, V9 into lo, hi.
#define ROW(lo, hi) Tee V10; Get V8; F32x4Mul; Get lo; F32x4Add; Set lo; Get V10; Get V9; F32x4Mul; Get hi; F32x4Add; Set hi

// AVAL pushes the float32 at ptr broadcast to four lanes (one
// instruction in V8) and advances ptr by 4 bytes.
#define AVAL(ptr) Get ptr; I32WrapI64; SPLAT32; Get ptr; I64Const $4; I64Add; Set ptr

// CROW pushes the address of C's row r (0-3) of this panel.
#define CROW(r) Get R7; Get R8; I64Const $(r); I64Mul; I64Add; I32WrapI64

// LOAD2 loads the two vectors at the address on the stack into lo, hi.
#define LOAD2(lo, hi) Set PC_B; Get PC_B; V128Load $0; Set lo; Get PC_B; V128Load $16; Set hi

// STORE2 stores lo, hi at the address on the stack plus 0 and 16.
#define STORE2(lo, hi) Set PC_B; Get PC_B; Get lo; V128Store $0; Get PC_B; Get hi; V128Store $0, $16

TEXT ·gemmF32Rows4(SB), NOSPLIT, $0-64
	I64Load a+8(FP)
	Set R13
	I64Load lda+16(FP)
	Set R14
	I64Load b+24(FP)
	Set R15
	I64Load ldb+32(FP)
	Set R9
	I64Load npan+40(FP)
	Set R6
	I64Load c+48(FP)
	Set R7
	I64Load ldc+56(FP)
	Set R8
	Block
	Loop
	Get R6
	I64Eqz
	BrIf $1
	CROW(0)
	LOAD2(V0, V1)
	CROW(1)
	LOAD2(V2, V3)
	CROW(2)
	LOAD2(V4, V5)
	CROW(3)
	LOAD2(V6, V7)
	I64Load k+0(FP)
	Set R0
	Get R15
	Set R5
	Get R13
	Tee R1
	Get R14
	I64Add
	Tee R2
	Get R14
	I64Add
	Tee R3
	Get R14
	I64Add
	Set R4
	Block
	Loop
		Get R0
		I64Eqz
		BrIf $1
		Get R5
		I32WrapI64
		LOAD2(V8, V9)
		AVAL(R1); ROW(V0, V1)
		AVAL(R2); ROW(V2, V3)
		AVAL(R3); ROW(V4, V5)
		AVAL(R4); ROW(V6, V7)
		Get R5
		Get R9
		I64Add
		Set R5
		DECR(R0)
		Br $0
	End
	End
	CROW(0)
	STORE2(V0, V1)
	CROW(1)
	STORE2(V2, V3)
	CROW(2)
	STORE2(V4, V5)
	CROW(3)
	STORE2(V6, V7)
	ADDI(R7, 32)
	ADDI(R15, 32)
	DECR(R6)
	Br $0
	End
	End
	RET
