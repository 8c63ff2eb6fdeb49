// Loop macros of the wasm assembly kernels.

// ADDI adds the constant n to the i64 register reg.
#define ADDI(reg, n) Get reg; I64Const $(n); I64Add; Set reg

// DECR subtracts 1 from the i64 register reg.
#define DECR(reg) Get reg; I64Const $1; I64Sub; Set reg

// SPLAT32 is v128.load32_splat of the address on the stack. Go's wasm
// assembler writes that opcode without its memarg (cmd/internal/obj/wasm
// gives one to V128Load only), so the two bytes follow as two 0x00
// opcodes (Unreachable): alignment 2^0, offset 0. The kernel table under
// wazero fails if the encoding ever changes.
#define SPLAT32 V128Load32Splat; Unreachable; Unreachable
