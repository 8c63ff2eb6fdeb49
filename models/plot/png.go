package plot

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"

	"github.com/qdiff/qdiff/models/nn"
)

// GridImage lays out images [B,1,S,S] in [-1,1] as a rows x cols grid,
// each pixel scaled by zoom, with a 1-pixel gap.
func GridImage(x *nn.T, rows, cols, zoom int) (*image.Gray, error) {
	if x.C != 1 || rows*cols < x.B || zoom < 1 {
		return nil, fmt.Errorf("grid: %s does not fit %dx%d", x.Shape(), rows, cols)
	}
	s := x.H * zoom
	g := image.NewGray(image.Rect(0, 0, cols*(s+1)+1, rows*(s+1)+1))
	for i := range g.Pix {
		g.Pix[i] = 64
	}
	for b := 0; b < x.B; b++ {
		r, c := b/cols, b%cols
		img := x.Img(b)
		for y := 0; y < x.H*zoom; y++ {
			for xx := 0; xx < x.W*zoom; xx++ {
				v := img[(y/zoom)*x.W+xx/zoom]
				g.SetGray(1+c*(s+1)+xx, 1+r*(s+1)+y, color.Gray{Y: ToByte(v)})
			}
		}
	}
	return g, nil
}

// ToByte maps [-1,1] to [0,255], rounding half away from zero.
func ToByte(v float32) uint8 {
	f := (v + 1) * 127.5
	if f <= 0 {
		return 0
	}
	if f >= 255 {
		return 255
	}
	return uint8(f + 0.5)
}

// WritePNG encodes img to path.
func WritePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
