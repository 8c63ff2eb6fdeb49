// Package sidial recovers a digit classifier's accuracy on partly hidden
// images with yes/no question rounds, after SI-Dial (a dialog module that
// supplements missing visual input with answers). It is model-agnostic: it
// reads only the classifier's class probabilities on the occluded image,
// so the same code serves the FP classifier and the binary network.
//
// An oracle answers each question from the full image (Questions). The
// dialog model fuses the classifier's belief with the answers,
//
//	logit_c = alpha(h)*log p(c|occluded) + beta(h)*sum_q log P(a_q|c) + Bias_c,
//
// where h is the fraction of the image hidden (the dialog knows what is
// missing), alpha and beta are exponentials of lines in h (positive), P(a|c) is counted on training
// digits and the rest is fitted to that classifier's outputs (Fit). It
// asks next the question whose answer
// is expected to remove the most uncertainty (Model.Next). It depends only
// on the standard library and models/st, so it runs in the browser too.
package sidial
