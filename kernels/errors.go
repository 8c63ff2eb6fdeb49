package kernels

import (
	"errors"
	"fmt"
)

// ErrShape is wrapped by every error that reports slice lengths or
// dimensions that do not fit the shapes given to a kernel.
var ErrShape = errors.New("kernels: bad shape")

func shapeErr(op, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrShape, op, fmt.Sprintf(format, args...))
}

// needLen checks that a slice named name has at least n elements.
func needLen(op, name string, have, n int) error {
	if have < n {
		return shapeErr(op, "%s has %d elements, needs %d", name, have, n)
	}
	return nil
}

// positive checks that every dimension is > 0.
func positive(op string, dims ...int) error {
	for _, d := range dims {
		if d <= 0 {
			return shapeErr(op, "dimensions %v must all be positive", dims)
		}
	}
	return nil
}
