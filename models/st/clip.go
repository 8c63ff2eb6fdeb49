package st

import "fmt"

// maxQuoted is the longest piece of a file (a name, a number, a metadata
// value) that an error message repeats; maxError bounds a whole message.
const (
	maxQuoted = 64
	maxError  = 512
)

// Clip shortens s for an error message: a crafted file can hold a
// 15 MB name or number, and the message must not.
func Clip(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	return fmt.Sprintf("%s...(%d bytes)", s[:maxQuoted], len(s))
}

// boundedError keeps an error's chain (errors.Is/As) but caps its text.
type boundedError struct{ err error }

func (e boundedError) Error() string {
	s := e.err.Error()
	if len(s) > maxError {
		return s[:maxError] + "...(message cut)"
	}
	return s
}

func (e boundedError) Unwrap() error { return e.err }

// bound wraps err so that its message is at most about maxError bytes.
func bound(err error) error {
	if err == nil {
		return nil
	}
	return boundedError{err}
}
