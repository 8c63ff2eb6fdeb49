// Package nn is qdiff's small training library: float32 NCHW tensors
// (type T), parameters with their gradients, layers with hand-written
// forward and backward passes (conv2d, linear, GroupNorm, SiLU, nearest
// upsampling, concatenation, self-attention, residual blocks, time and
// class embeddings), softmax cross-entropy, AdamW, EMA, learning-rate
// schedules and parameter files.
//
// Layers cache what their backward pass needs during Forward, so a layer
// object serves one forward/backward pair at a time. Work is split over
// the batch between Workers goroutines, each owning whole images, so
// results do not depend on scheduling.
//
// nn knows no model and no data set: it imports only kernels and st,
// never another package under models.
package nn
