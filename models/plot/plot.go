package plot

import (
	"image"
	"image/color"
	"math"
)

// LossPlot draws y (a loss curve, smoothed by a moving average of window
// points) on a log10 y axis into a w x h RGBA image, with grid lines at
// each power of ten and at every tenth of the x range.
func LossPlot(y []float64, window, w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	if len(y) == 0 {
		return img
	}
	sm := make([]float64, len(y))
	var s float64
	for i, v := range y {
		s += v
		if i >= window {
			s -= y[i-window]
		}
		sm[i] = s / float64(min(i+1, window))
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range sm {
		if v > 0 {
			lo, hi = math.Min(lo, math.Log10(v)), math.Max(hi, math.Log10(v))
		}
	}
	lo, hi = math.Floor(lo), math.Ceil(hi)
	if hi <= lo {
		hi = lo + 1
	}
	const m = 20
	grid := color.RGBA{220, 220, 220, 255}
	for d := lo; d <= hi; d++ {
		py := m + int((hi-d)/(hi-lo)*float64(h-2*m))
		for px := m; px < w-m; px++ {
			img.Set(px, py, grid)
		}
	}
	for k := 0; k <= 10; k++ {
		px := m + k*(w-2*m)/10
		for py := m; py < h-m; py++ {
			img.Set(px, py, grid)
		}
	}
	line := color.RGBA{30, 90, 200, 255}
	prevX, prevY := -1, -1
	for i, v := range sm {
		if v <= 0 {
			continue
		}
		px := m + int(float64(i)/float64(max(len(sm)-1, 1))*float64(w-2*m))
		py := m + int((hi-math.Log10(v))/(hi-lo)*float64(h-2*m))
		if prevX >= 0 {
			drawLine(img, prevX, prevY, px, py, line)
		}
		prevX, prevY = px, py
	}
	return img
}

func drawLine(img *image.RGBA, x0, y0, x1, y1 int, c color.RGBA) {
	n := max(abs(x1-x0), abs(y1-y0), 1)
	for i := 0; i <= n; i++ {
		img.Set(x0+(x1-x0)*i/n, y0+(y1-y0)*i/n, c)
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
