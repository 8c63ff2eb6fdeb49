// Loop macros of the wasm assembly kernels.

// ADDI adds the constant n to the i64 register reg.
#define ADDI(reg, n) Get reg; I64Const $(n); I64Add; Set reg

// DECR subtracts 1 from the i64 register reg.
#define DECR(reg) Get reg; I64Const $1; I64Sub; Set reg
