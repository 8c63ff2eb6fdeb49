// Package metrics scores generated digits: the classifier-feature
// statistics, FD-MNIST (the Fréchet distance of those features), the
// Inception Score analogue, conditional accuracy, the pixel statistics a
// person sees (clean background, speckle, stroke weight, stray blobs), and
// Evaluate, which samples a model and scores it against the test set.
//
// It may import nn, mnist, unet (the sampler), classifier (the feature
// network) and plot (grey bytes), never an experiment (ptq, bnn, prune).
package metrics
