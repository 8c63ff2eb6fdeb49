// Package models is the index of qdiff's model code; it holds no code of
// its own, only the test that keeps the imports below flowing one way.
//
// The packages, bottom to top:
//
//   - st: the safetensors reader and writer (FORMAT.md).
//   - engine: the inference engine (FP32 / W8A8 / W4A8) that the browser,
//     wazero and the CLI share; bnet and sidial: the binary classifier and
//     the SI-Dial dialog model on the kernels. None of them imports a
//     training package.
//   - nn: the small training library (tensors, parameters, layers with
//     forward and backward, losses, optimizers, schedules); it knows no
//     model.
//   - mnist: the MNIST loader and the corruptions.
//   - unet: the U-Net, DDPM/DDIM schedules and samplers, diffusion
//     training, export to the engine.
//   - classifier: the FP classifier and the cross-entropy loop.
//   - plot: sample grids and loss plots as images.
//   - metrics: FD, IS analogue, conditional accuracy, pixel statistics,
//     sample evaluation.
//   - ptq, bnn, prune: the experiments (PTQ4DM; binary networks with LCR,
//     CMIM, LONDON; Fourier-guided pruning). No package imports an
//     experiment; the commands in cmd/qdiff do.
package models
