// Package kernels holds qdiff's compute kernels: int8, 4-bit and 1-bit
// (binary) matrix products and convolutions, float32 matrix products and the
// float32 elementwise operations of a diffusion U-Net. It knows nothing about
// models.
//
// # File names
//
// Every kernel file is named
//
//	<op>_<dtype>[_<tile>]_<target>.go
//
// op is the operation (gemm, conv, im2col, silu, groupnorm, softmax, quant,
// ...); dtype is the datatype of its inputs (f32, i8, w4 for 4-bit weights
// with 8-bit activations, b1 for 1-bit signs, b1i8 for 1-bit sign
// activations with int8 weights, u8 for grey bytes); tile,
// when present, is the register tile of the SIMD variant (for example 2x4)
// or "direct" for a convolution computed without im2col; target is one of
//
//	ref      scalar reference, plain Go, always built; the definition of the result
//	go       a faster algorithm in plain Go, built everywhere (tested against ref)
//	wasm     WebAssembly SIMD128 through simd/archsimd (goexperiment.simd && wasm)
//	amd64    x86-64 AVX2/FMA through simd/archsimd, chosen at run time (goexperiment.simd && amd64)
//	generic  the dispatcher used when no SIMD variant is built
//
// A variant whose inner loop needs an instruction simd/archsimd does not
// offer is Go assembly in a .s file of the same name (gemm_i8_2x2_wasm.s:
// i32x4.dot_i16x8_s), behind a Go wrapper in the .go file that owns the
// bounds checks and the edges. So is a wasm loop whose loads wazero would
// bounds-check one by one: wazero checks each address value once per
// block, and Go code computes every address anew (i32.wrap_i64), so the
// assembly (conv_u8_wasm.s, conv_b1_direct_wasm.s) wraps a base address
// once into PC_B, the one i32 local, free in a leaf function, and loads at
// immediate offsets from it. Immediates that wasm places after the opcode
// (lane indexes, store offsets) are written as a second operand,
// "I64x2ExtractLane $0, $1": with one operand the assembler encodes 0.
//
// The exported entry point of an op (GemmI8, ConvI8, GemmB1, ...) checks its
// slice lengths against its shapes and returns an error; the variants behind
// it do not re-check.
//
// # Data layouts
//
// Matrices are row-major. A product C[M,N] = A[M,K] x W[K,N] stores W
// transposed, as WT[N,K], so that both operands of a dot product are
// contiguous along K (the "packed" weight layout).
//
// Inference activations are NHWC (channels last, one image at a time: HWC).
// im2col for a KHxKW convolution writes one row per output pixel, ordered
// (kh, kw, c), so K = KH*KW*Cin and a conv weight is WT[Cout, KH*KW*Cin].
// Training (package models/nn) uses NCHW with conv weights [Cout, Cin, KH, KW];
// the export to the inference layout permutes them.
//
// Prepared int8 and 4-bit weights (Q8Matrix.Prepare, Q4Matrix.Prepare,
// where the build has the panel GEMM: wasm) are also held as I16Panels:
// widened to int16, eight output channels a panel, each pair of k stored
// channel by channel, K padded to a multiple of 4. The panel GEMM
// (gemm_i8_4x8_wasm.s) broadcasts a pair of int16 activations to all
// lanes straight from memory (v128.load32_splat) and multiplies it with a
// panel vector through i32x4.dot_i16x8_s, so four channel sums form in
// the lanes with no widening and no horizontal sum in its loop; a 4x8
// tile of i32x4 accumulators, the panels in groups of at most 32 KB (one
// group in L1 over all rows). Each product row is found through a table
// of row starts (element offsets). A 3x3 conv of stride 1 or 2 on panels
// is an implicit GEMM (conv_i8_4x8_go.go): its rows are the output
// pixels, each reading its nine taps from one zero-point-padded int16
// copy of the image, with no im2col matrix and no padding columns, and
// the float epilogue runs in the tile's stores. 4-bit weights widen to
// the same panels, so W4A8 runs the W8A8 kernel on the same integers.
//
// # Quantization
//
// int8 weights are symmetric per output channel in [-127, 127] (never -128)
// with a float32 scale per channel. 8-bit activations are int8 per tensor
// with a scale and a zero point ZA (ZA = 0 is the symmetric case), so a real
// value is (q - ZA) * scale. Accumulation is int32. The epilogue is
//
//	acc' = acc - ZA*ColSum[n]                  (int32, exact)
//	y    = float32(acc') * Scale[n] + Bias[n]  (float32, Scale[n] = sA*sW[n])
//	q    = clamp(RoundToEven(y * InvOut) + ZOut, -128, 127)   (8-bit out)
//
// and every variant computes it with the same float32 operations in the
// same order (the Go epilogue, its SIMD twin, or the panel GEMM's stores;
// no fused multiply-add), so integer, 8-bit and float results are
// bit-exact between the reference, wazero and the browser.
//
// 4-bit weights (Q4Matrix) are symmetric per output channel in [-7, 7],
// packed two per byte in blocks of Q4BlockK = 32 weights along K: byte i of
// a block (0 <= i < 16) holds weight i in its low nibble and weight i+16 in
// its high nibble, each as a 4-bit two's complement number. K is padded with
// zero weights to a multiple of Q4BlockK.
//
// # Binary (1-bit) layout
//
// A binary tensor holds signs packed along its reduction axis (input
// channels, or K) into little-endian uint64 words, B1WordBits = 64 signs a
// word, bit i of word w being element 64*w+i. A set bit means -1, a clear
// bit +1 (the sign bit convention of larq). Rows are padded with clear bits;
// padding adds nothing to XOR popcounts because both operands are clear
// there. The dot product of two K-element sign vectors is
//
//	dot = K - 2*popcount(a XOR w)
//
// For convolutions with zero padding, padded input positions are encoded
// as +1 and corrected by the per-pixel padding mask (see ConvB1).
// Batch norm followed by sign is folded into an int32 threshold per output
// channel: the output is +1 when dot >= Thr[n] (or dot <= Thr[n] when
// Flip[n] is set), else -1. Signed binary convolutions (ConvB1Sign) of
// at most 64 input channels (one word a pixel) run direct
// (conv_b1_direct_go.go): each output pixel counts only its taps inside
// the image, which equals the padding-corrected im2col product, and
// applies the threshold at once. For 3x3 kernels the taps outside the
// image hold zero words and each set of outside taps (a border class)
// has its own threshold constants that remove what those zeros add, so
// border and interior pixels run one channel loop (conv_b1_direct_wasm.go
// pairs the tap words in v128); pixels whose taps inside the image hold
// one word copy the signs of the last such pixel of their class. A
// ConvB1SignPlan derives the per-channel records and class constants once
// for a layer that runs on many images.
//
// The first layer of a binary network (ConvU8Sign) convolves grey bytes
// with int8 weights and thresholds the int32 dot products directly
// (-1 when dot < thr[n]; a "dot > t" rule is expressed with negated weights);
// pixels whose taps hold no ink take the signs of the zero product.
package kernels
