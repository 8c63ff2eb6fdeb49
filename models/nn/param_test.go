package nn

import (
	"testing"
)

func TestLRSchedule_At(t *testing.T) {
	l := LRSchedule{Base: 1, Min: 0.1, Warmup: 10, Total: 110}
	if l.At(0) != 0.1 || l.At(9) != 1 || l.At(10) != 1 || l.At(110) != 0.1 {
		t.Errorf("%v %v %v %v", l.At(0), l.At(9), l.At(10), l.At(110))
	}
}
