package metrics

import (
	"testing"
)

// img parses a picture: '.' is 0, 'f' faint (20), 'g' grey (64), '#' 255.
func img(rows ...string) []uint8 {
	var out []uint8
	for _, r := range rows {
		for _, c := range r {
			out = append(out, map[rune]uint8{'.': 0, 'f': 20, 'g': 64, '#': 255}[c])
		}
	}
	return out
}

func TestImagePixelStats(t *testing.T) {
	for _, tc := range []struct {
		name string
		pix  []uint8
		size int
		want PixelStats
	}{
		{"blank", img("....", "....", "....", "...."), 4, PixelStats{Images: 1, Zero: 16}},
		{"one stroke", img("#...", ".#..", "..#.", "...#"), 4, PixelStats{Images: 1, Zero: 12, Bright: 4}},
		{"diagonal touch is one blob", img("#.", ".#"), 2, PixelStats{Images: 1, Zero: 2, Bright: 2}},
		{"a detached dot", img("##..", "##..", "....", "...g"), 4, PixelStats{Images: 1, Zero: 11, Bright: 4, ExtraBlobs: 1}},
		{"faint speckle is not a blob", img("##f.", "##..", "f...", "...f"), 4, PixelStats{Images: 1, Zero: 9, Faint: 3, Bright: 4}},
		{"means over images", append(img("#.", "..", ""), img("#.", ".g")...), 2,
			PixelStats{Images: 2, Zero: 2.5, Bright: 1, ExtraBlobs: 0}},
		{"three blobs, two images", append(img("#.#", "...", "#.."), img("...", ".#.", "...")...), 3,
			PixelStats{Images: 2, Zero: 7, Bright: 2, ExtraBlobs: 1}},
		{"no whole image", img("#."), 2, PixelStats{}},
	} {
		if got := ImagePixelStats(tc.pix, tc.size); got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, tc.want)
		}
	}
}
