package models

import "testing"

// mnistTest loads the 10,000 MNIST test digits.
func mnistTest(t testing.TB) *Dataset {
	t.Helper()
	dir, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	test, err := LoadMNIST(dir, "t10k")
	if err != nil {
		t.Fatal(err)
	}
	return test
}

// firstN is the first n digits of d from index at.
func firstN(d *Dataset, at, n int) *Dataset {
	return &Dataset{N: n, Rows: 28, Cols: 28, Pixels: d.Pixels[at*784 : (at+n)*784], Labels: d.Labels[at : at+n]}
}
