package st

import (
	"math"
	"strings"
	"testing"
)

func TestFile_Want(t *testing.T) {
	b, err := Encode(nil, []Tensor{
		F32Tensor("v", []int{16, 2}, make([]float32, 32)),
		F32Tensor("nan", []int{2}, []float32{1, float32(math.NaN())}),
		F32Tensor("inf", []int{1}, []float32{float32(math.Inf(-1))}),
		{Name: "i", DType: "I8", Shape: []int{4}, Data: make([]byte, 4)},
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WantFloats("v", 16, 2); err != nil {
		t.Errorf("exact shape refused: %v", err)
	}
	if _, err := f.Want("i", []int{4}, "I8"); err != nil {
		t.Errorf("I8 refused: %v", err)
	}
	for _, c := range []struct {
		name string
		get  func() error
		want string
	}{
		{"same size, other shape", func() error { _, err := f.WantFloats("v", 32); return err }, "shape [16 2], want [32]"},
		{"missing", func() error { _, err := f.WantFloats("w", 1); return err }, "missing"},
		{"NaN", func() error { _, err := f.WantFloats("nan", 2); return err }, "NaN"},
		{"Inf", func() error { _, err := f.WantFloats("inf", 1); return err }, "-Inf"},
		{"dtype", func() error { _, err := f.Want("i", []int{4}, "U8"); return err }, "is I8"},
	} {
		if err := c.get(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}
