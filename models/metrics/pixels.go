package metrics

// Grey-level thresholds of PixelStats (0..255 bytes, 0 = background).
const (
	faintMax  = 31  // faint: 1..faintMax
	brightMin = 128 // bright: >= brightMin
	inkMin    = 64  // ink, for connected components: >= inkMin
)

// PixelStats are per-image means over a set of grey images: what a person
// sees as a clean black background, stroke weight and stray marks.
type PixelStats struct {
	Images     int
	Zero       float64 // pixels exactly 0
	Faint      float64 // pixels at grey 1..31 (speckle)
	Bright     float64 // pixels >= 128 (stroke weight)
	ExtraBlobs float64 // 8-connected components of grey >= 64 besides the largest
}

// ImagePixelStats returns the PixelStats of n images of size*size grey
// bytes stored one after another in pix.
func ImagePixelStats(pix []uint8, size int) PixelStats {
	per := size * size
	var s PixelStats
	if per == 0 {
		return s
	}
	s.Images = len(pix) / per
	if s.Images == 0 {
		return s
	}
	label := make([]int32, per)
	stack := make([]int, 0, per)
	var zero, faint, bright, extra int
	for i := range s.Images {
		img := pix[i*per : (i+1)*per]
		for _, v := range img {
			switch {
			case v == 0:
				zero++
			case v <= faintMax:
				faint++
			}
			if v >= brightMin {
				bright++
			}
		}
		extra += max(components(img, size, label, stack)-1, 0)
	}
	n := float64(s.Images)
	s.Zero, s.Faint, s.Bright, s.ExtraBlobs = float64(zero)/n, float64(faint)/n, float64(bright)/n, float64(extra)/n
	return s
}

// components counts the 8-connected components of pixels >= inkMin in a
// size*size image; label and stack are scratch space of size*size.
func components(img []uint8, size int, label []int32, stack []int) int {
	clear(label)
	n := 0
	for p, v := range img {
		if v < inkMin || label[p] != 0 {
			continue
		}
		n++
		label[p] = int32(n)
		stack = append(stack[:0], p)
		for len(stack) > 0 {
			q := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			y, x := q/size, q%size
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					yy, xx := y+dy, x+dx
					if yy < 0 || yy >= size || xx < 0 || xx >= size {
						continue
					}
					r := yy*size + xx
					if img[r] >= inkMin && label[r] == 0 {
						label[r] = int32(n)
						stack = append(stack, r)
					}
				}
			}
		}
	}
	return n
}
