package ptq

import (
	"errors"
	"testing"
)

func TestCachedCalibration(t *testing.T) {
	dir := t.TempDir()
	calls := 0
	gen := func() ([]CalibInput, error) {
		calls++
		return []CalibInput{{X: []float32{1, 2, 3}, T: 7, Label: 2}, {X: []float32{4, 5, 6}, T: 900, Label: 9}}, nil
	}
	a, hit, err := CachedCalibration(dir, "k1", gen)
	if err != nil || hit || calls != 1 {
		t.Fatalf("first call: hit %v, %d generations, %v", hit, calls, err)
	}
	b, hit, err := CachedCalibration(dir, "k1", gen)
	if err != nil || !hit || calls != 1 {
		t.Fatalf("second call: hit %v, %d generations, %v", hit, calls, err)
	}
	if len(b) != 2 || b[1].T != 900 || b[1].Label != 9 || b[1].X[2] != 6 || a[0].X[0] != b[0].X[0] {
		t.Errorf("cached set %+v", b)
	}
	if _, hit, _ := CachedCalibration(dir, "k2", gen); hit || calls != 2 {
		t.Errorf("another key hit the cache")
	}
	boom := errors.New("boom")
	if _, _, err := CachedCalibration(dir, "k3", func() ([]CalibInput, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("generation error lost: %v", err)
	}
}
