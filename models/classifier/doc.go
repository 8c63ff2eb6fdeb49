// Package classifier owns the FP MNIST classifier (the network, its
// training, its zoo file) and the softmax cross-entropy minibatch loop
// (CELoop) that the binary networks and pruning retraining reuse.
//
// It builds on nn and mnist and imports no experiment (ptq, bnn, prune).
package classifier
