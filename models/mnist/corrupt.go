package mnist

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Corruption names a deterministic image corruption for robustness tests.
type Corruption string

// The corruptions of the robustness sets, each at severities 1..3.
const (
	Noise     Corruption = "noise"     // additive Gaussian noise, sigma 0.1/0.2/0.3 of full scale
	Blur      Corruption = "blur"      // box blur of radius 1/2/3 pixels
	Contrast  Corruption = "contrast"  // contrast scaled by 0.5/0.3/0.15 around mid-grey
	Occlusion Corruption = "occlusion" // a grey square of side 8/12/16 at a random place
	Rotation  Corruption = "rotation"  // rotation by ±15/30/45 degrees (random sign), bilinear
)

// Corruptions lists them in a fixed order.
var Corruptions = []Corruption{Noise, Blur, Contrast, Occlusion, Rotation}

// Corrupt returns a copy of d with every image corrupted at severity 1..3;
// the result depends only on d, c, severity and seed.
func Corrupt(d *Dataset, c Corruption, severity int, seed uint64) (*Dataset, error) {
	if severity < 1 || severity > 3 {
		return nil, fmt.Errorf("corrupt: severity %d outside 1..3", severity)
	}
	if d.Rows != d.Cols {
		return nil, fmt.Errorf("corrupt: %dx%d images are not square", d.Rows, d.Cols)
	}
	r := rand.New(rand.NewPCG(seed, uint64(severity)))
	s := d.Rows
	out := &Dataset{N: d.N, Rows: s, Cols: s, Pixels: make([]uint8, len(d.Pixels)), Labels: append([]uint8(nil), d.Labels...)}
	for i := 0; i < d.N; i++ {
		src := d.Image(i)
		dst := out.Image(i)
		img := make([]float64, len(src))
		for p, v := range src {
			img[p] = float64(v)
		}
		switch c {
		case Noise:
			sd := 25.5 * float64(severity)
			for p := range img {
				img[p] += sd * r.NormFloat64()
			}
		case Blur:
			img = boxBlur(img, s, severity)
		case Contrast:
			f := []float64{0.5, 0.3, 0.15}[severity-1]
			for p := range img {
				img[p] = 127.5 + (img[p]-127.5)*f
			}
		case Occlusion:
			side := 4 + 4*severity
			x0, y0 := r.IntN(s-side+1), r.IntN(s-side+1)
			for y := y0; y < y0+side; y++ {
				for x := x0; x < x0+side; x++ {
					img[y*s+x] = 128
				}
			}
		case Rotation:
			deg := 15 * float64(severity)
			if r.IntN(2) == 0 {
				deg = -deg
			}
			img = rotate(img, s, deg*math.Pi/180)
		default:
			return nil, fmt.Errorf("corrupt: unknown corruption %q", c)
		}
		for p, v := range img {
			dst[p] = uint8(math.Max(0, math.Min(255, math.Round(v))))
		}
	}
	return out, nil
}

func boxBlur(img []float64, s, rad int) []float64 {
	out := make([]float64, len(img))
	for y := 0; y < s; y++ {
		for x := 0; x < s; x++ {
			var sum float64
			n := 0
			for dy := -rad; dy <= rad; dy++ {
				for dx := -rad; dx <= rad; dx++ {
					yy, xx := y+dy, x+dx
					if yy >= 0 && yy < s && xx >= 0 && xx < s {
						sum += img[yy*s+xx]
						n++
					}
				}
			}
			out[y*s+x] = sum / float64(n)
		}
	}
	return out
}

// rotate turns the image by theta around its centre (bilinear, 0 outside).
func rotate(img []float64, s int, theta float64) []float64 {
	out := make([]float64, len(img))
	c := float64(s-1) / 2
	cos, sin := math.Cos(theta), math.Sin(theta)
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= s || y >= s {
			return 0
		}
		return img[y*s+x]
	}
	for y := 0; y < s; y++ {
		for x := 0; x < s; x++ {
			sx := cos*(float64(x)-c) + sin*(float64(y)-c) + c
			sy := -sin*(float64(x)-c) + cos*(float64(y)-c) + c
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			out[y*s+x] = (1-fx)*(1-fy)*at(x0, y0) + fx*(1-fy)*at(x0+1, y0) + (1-fx)*fy*at(x0, y0+1) + fx*fy*at(x0+1, y0+1)
		}
	}
	return out
}
