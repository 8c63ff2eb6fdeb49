// Macros of the wasm assembly that computes SiLU with ExpF32's
// operations (silu_f32_wasm.s, groupnorm_f32_wasm.s).

// EXPCONSTS splats ExpF32's constants, float32s at PC_B in the order of
// siluConsts (lo, hi, log2e, ln2hi, ln2lo, P0..P5, 1), into V0 lo, V1 hi,
// V2 log2e, V3 ln2hi, V4 ln2lo, V11 P0, V5-V9 P1-P5, V10 1.
#define EXPCONST(off, v) Get PC_B; F32Load $(off); F32x4Splat; Set v
#define EXPCONSTS EXPCONST(0, V0); EXPCONST(4, V1); EXPCONST(8, V2); EXPCONST(12, V3); EXPCONST(16, V4); EXPCONST(20, V11); EXPCONST(24, V5); EXPCONST(28, V6); EXPCONST(32, V7); EXPCONST(36, V8); EXPCONST(40, V9); EXPCONST(44, V10)

// HORNER multiplies the stack's vector by r (V14) and adds c.
#define HORNER(c) Get V14; F32x4Mul; Get c; F32x4Add

// SILU12 sets V12 = V12 / (1 + exp(-V12)), exp being ExpF32 operation for
// operation (siluRef's bits), with the constants of EXPCONSTS; V13 (n)
// and V14 (r) are scratch.
#define SILU12 \
	Get V12; F32x4Neg; Get V0; F32x4Max; Get V1; F32x4Min; Tee V14; \
	Get V2; F32x4Mul; F32x4Nearest; Set V13; \
	Get V14; Get V13; Get V3; F32x4Mul; F32x4Sub; Get V13; Get V4; F32x4Mul; F32x4Sub; Set V14; \
	Get V12; \
	Get V11; HORNER(V5); HORNER(V6); HORNER(V7); HORNER(V8); HORNER(V9); \
	Get V14; Get V14; F32x4Mul; F32x4Mul; Get V14; F32x4Add; Get V10; F32x4Add; \
	Get V13; I32x4TruncSatF32x4S; I32Const $127; I32x4Splat; I32x4Add; I32Const $23; I32x4Shl; F32x4Mul; \
	Get V10; F32x4Add; F32x4Div; Set V12
