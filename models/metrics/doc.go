// Package metrics scores generated digits: the classifier-feature
// statistics, FD-MNIST (the Fréchet distance of those features), the
// Inception Score analogue, conditional accuracy, and Evaluate, which
// samples a model and scores it against the test set.
//
// It may import nn, mnist, unet (the sampler) and classifier (the
// feature network), never an experiment (ptq, bnn, prune).
package metrics
