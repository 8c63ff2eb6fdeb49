// Package bnn trains the binary classifiers (sign activations and weights
// with straight-through gradients) with the three papers' regularizers:
// LCR-BNN's Lipschitz-continuity retention, CMIM's contrastive
// mutual-information loss and LONDON's Lipschitz-matching distillation;
// checkpoints, and the export to the kernel-only bnet format.
//
// An experiment: it may import nn, mnist, classifier (the FP teacher),
// bnet, kernels and st; no package but the commands imports it.
package bnn
