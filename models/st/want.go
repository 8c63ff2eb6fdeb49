package st

import (
	"fmt"
	"math"
	"slices"
)

// clipShape shortens a shape for an error message.
func clipShape(s []int) []int {
	if len(s) > 8 {
		return s[:8]
	}
	return s
}

// Want returns the tensor called name if its dtype is one of dtypes and its
// shape is exactly shape: [16, 2] where [32] is expected is an error even
// though the byte counts agree.
func (f *File) Want(name string, shape []int, dtypes ...string) (Tensor, error) {
	t, ok := f.Get(name)
	if !ok {
		return t, fmt.Errorf("tensor %s missing", name)
	}
	if !slices.Contains(dtypes, t.DType) {
		return t, fmt.Errorf("tensor %s is %s, want %v", name, t.DType, dtypes)
	}
	if !slices.Equal(t.Shape, shape) {
		return t, fmt.Errorf("tensor %s has shape %v, want %v", name, clipShape(t.Shape), shape)
	}
	return t, nil
}

// WantFloats returns the values of the F32 or F16 tensor called name of
// exactly this shape, refusing NaN and infinities.
func (f *File) WantFloats(name string, shape ...int) ([]float32, error) {
	t, err := f.Want(name, shape, "F32", "F16")
	if err != nil {
		return nil, err
	}
	v, err := t.Floats()
	if err != nil {
		return nil, err
	}
	for i, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, fmt.Errorf("tensor %s[%d] holds %v", name, i, x)
		}
	}
	return v, nil
}
