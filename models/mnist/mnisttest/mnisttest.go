// Package mnisttest loads the MNIST digits for tests.
package mnisttest

import (
	"testing"

	"github.com/qdiff/qdiff/models/mnist"
)

// Test loads the 10,000 MNIST test digits.
func Test(t testing.TB) *mnist.Dataset {
	t.Helper()
	dir, err := mnist.MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	test, err := mnist.LoadMNIST(dir, "t10k")
	if err != nil {
		t.Fatal(err)
	}
	return test
}
