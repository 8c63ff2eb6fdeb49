package mnist

import (
	"bytes"
	"testing"
)

func TestCorrupt(t *testing.T) {
	img := make([]uint8, 28*28)
	for y := 10; y < 18; y++ {
		for x := 12; x < 16; x++ {
			img[y*28+x] = 255
		}
	}
	d := &Dataset{N: 2, Rows: 28, Cols: 28, Pixels: append(append([]uint8(nil), img...), img...), Labels: []uint8{1, 1}}
	for _, c := range Corruptions {
		var prev []uint8
		for sev := 1; sev <= 3; sev++ {
			a, err := Corrupt(d, c, sev, 7)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := Corrupt(d, c, sev, 7)
			if !bytes.Equal(a.Pixels, b.Pixels) {
				t.Errorf("%s/%d: not deterministic", c, sev)
			}
			if bytes.Equal(a.Image(0), img) {
				t.Errorf("%s/%d: image unchanged", c, sev)
			}
			if prev != nil && bytes.Equal(prev, a.Image(0)) {
				t.Errorf("%s: severities %d and %d give the same image", c, sev-1, sev)
			}
			prev = append([]uint8(nil), a.Image(0)...)
			if !bytes.Equal(a.Labels, d.Labels) {
				t.Errorf("%s/%d: labels changed", c, sev)
			}
		}
	}
	if _, err := Corrupt(d, Blur, 4, 1); err == nil {
		t.Error("severity 4 accepted")
	}
	if _, err := Corrupt(d, "fog", 1, 1); err == nil {
		t.Error("unknown corruption accepted")
	}
}
