// Package engine runs qdiff's U-Net for inference on the kernels, one
// image at a time in NHWC layout: in float32 (FP32), or with every conv and
// linear layer and both attention products on 8-bit activations and int8
// (W8A8) or 4-bit (W4A8) weights with int32 accumulation, while GroupNorm,
// SiLU and softmax stay float32, as in PTQ4DM. It depends on the kernels
// alone, so the same code runs natively and in WebAssembly; with the same
// inputs the integer paths give bit-identical results on every target.
package engine
