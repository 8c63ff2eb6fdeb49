// Package prune is Fourier-guided magnitude pruning: layer-by-layer
// magnitude masks, the frequency-domain distillation loss whose band grows
// from DC over the run, and retraining of the pruned classifier and U-Net
// (plain or distilled from the unpruned net).
//
// An experiment: it may import nn, mnist, classifier and unet; no package
// but the commands imports it.
package prune
