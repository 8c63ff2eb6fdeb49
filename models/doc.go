// Package models holds qdiff's networks and everything that trains,
// quantizes and evaluates them: the MNIST loader, a small training library
// with hand-written forward and backward passes (conv2d, linear, GroupNorm,
// SiLU, nearest upsampling, concatenation, self-attention, time and class
// embeddings), the optimizers, the class-conditional DDPM U-Net with its
// DDPM and DDIM samplers, and the safetensors weights format (FORMAT.md).
//
// Activations are float32 NCHW batches (type T). Layers cache what their
// backward pass needs during Forward, so a layer object serves one
// forward/backward pair at a time. Work is split over the batch between
// Workers goroutines, each owning whole images, so results do not depend on
// scheduling.
package models
