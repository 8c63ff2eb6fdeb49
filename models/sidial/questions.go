package sidial

// Side is the MNIST image side; images are 28x28 grey bytes, ink bright.
const Side = 28

// inkLevel is the grey level from which a pixel counts as ink.
const inkLevel = 128

// Question is a yes/no question about the full digit that Answer decides
// from its pixels.
type Question struct {
	Text   string
	Answer func(f *Features) bool
}

// Features are the measurements the questions read, computed once per image.
type Features struct {
	ink       [Side * Side]bool
	cells     [9]int // ink pixels in a 3x3 grid over rows/cols 4..24
	holes     []hole
	top, left int // ink in the top half, the left half
	total     int
	x0, x1    int // ink bounding box
	y0, y1    int
	colInk    [Side]int
	rowInk    [Side]int
}

type hole struct{ size, cy int }

var cellNames = [9]string{"top left", "top centre", "top right", "middle left", "centre", "middle right", "bottom left", "bottom centre", "bottom right"}

// Questions are the dialog's questions, in a fixed order (their index is
// the answer slot in Model and in the weights file).
var Questions = func() []Question {
	var qs []Question
	for i, n := range cellNames {
		qs = append(qs, Question{"Is there ink in the " + n + "?", func(f *Features) bool { return f.cells[i] >= 3 }})
	}
	return append(qs,
		Question{"Does it have a closed loop?", func(f *Features) bool { return len(f.holes) >= 1 }},
		Question{"Does it have two closed loops?", func(f *Features) bool { return len(f.holes) >= 2 }},
		Question{"Is there a loop in the top half?", func(f *Features) bool { return f.holeWhere(true) }},
		Question{"Is there a loop in the bottom half?", func(f *Features) bool { return f.holeWhere(false) }},
		Question{"Is there more ink in the top half than in the bottom half?", func(f *Features) bool { return 2*f.top > f.total }},
		Question{"Is there more ink in the left half than in the right half?", func(f *Features) bool { return 2*f.left > f.total }},
		Question{"Does a long vertical stroke run through the middle?", func(f *Features) bool { return maxIn(f.colInk[:], 10, 18) >= 10 }},
		Question{"Does a horizontal stroke run across the top?", func(f *Features) bool { return maxIn(f.rowInk[:], 3, 11) >= 9 }},
		Question{"Does a horizontal stroke run across the middle?", func(f *Features) bool { return maxIn(f.rowInk[:], 11, 17) >= 9 }},
		Question{"Is it much taller than it is wide?", func(f *Features) bool { return f.total > 0 && 2*(f.x1-f.x0+1) < (f.y1-f.y0+1) }},
	)
}()

func maxIn(v []int, lo, hi int) int {
	m := 0
	for _, x := range v[lo:hi] {
		m = max(m, x)
	}
	return m
}

func (f *Features) holeWhere(top bool) bool {
	for _, h := range f.holes {
		if (h.cy < Side/2) == top {
			return true
		}
	}
	return false
}

// Measure computes the features of a full 28x28 image.
func Measure(img []uint8) *Features {
	f := &Features{x0: Side, y0: Side, x1: -1, y1: -1}
	for i, v := range img[:Side*Side] {
		if v < inkLevel {
			continue
		}
		x, y := i%Side, i/Side
		f.ink[i] = true
		f.total++
		f.colInk[x]++
		f.rowInk[y]++
		if y < Side/2 {
			f.top++
		}
		if x < Side/2 {
			f.left++
		}
		f.x0, f.x1, f.y0, f.y1 = min(f.x0, x), max(f.x1, x), min(f.y0, y), max(f.y1, y)
		if x >= 4 && x < 24 && y >= 4 && y < 24 {
			f.cells[(y-4)*3/20*3+(x-4)*3/20]++
		}
	}
	f.holes = holes(&f.ink)
	return f
}

// holes finds background regions (4-connected) that do not reach the
// border, at least 2 pixels large.
func holes(ink *[Side * Side]bool) []hole {
	var seen [Side * Side]bool
	var out []hole
	stack := make([]int, 0, Side*Side)
	for start := range ink {
		if ink[start] || seen[start] {
			continue
		}
		border, size, sy := false, 0, 0
		stack = append(stack[:0], start)
		seen[start] = true
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := p%Side, p/Side
			size++
			sy += y
			if x == 0 || y == 0 || x == Side-1 || y == Side-1 {
				border = true
			}
			for _, d := range [4][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				nx, ny := x+d[0], y+d[1]
				if nx < 0 || ny < 0 || nx >= Side || ny >= Side {
					continue
				}
				q := ny*Side + nx
				if !ink[q] && !seen[q] {
					seen[q] = true
					stack = append(stack, q)
				}
			}
		}
		if !border && size >= 2 {
			out = append(out, hole{size: size, cy: sy / size})
		}
	}
	return out
}

// Oracle answers every question about a full image: +1 yes, -1 no.
func Oracle(img []uint8) []int8 {
	f := Measure(img)
	a := make([]int8, len(Questions))
	for i, q := range Questions {
		a[i] = -1
		if q.Answer(f) {
			a[i] = 1
		}
	}
	return a
}
