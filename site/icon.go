package site

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/draw"
	"image/png"
)

// icon makes the favicon from the example grid (a `qdiff generate` PNG:
// 28x28 images in 29-pixel cells from (1, 1)): its first digit on a 32x32
// black square, as a PNG and as a favicon.ico holding that PNG.
func icon(grid []byte) (pngBytes, ico []byte, err error) {
	src, err := png.Decode(bytes.NewReader(grid))
	if err != nil {
		return nil, nil, fmt.Errorf("site: example grid: %w", err)
	}
	if b := src.Bounds(); b.Dx() < 29 || b.Dy() < 29 {
		return nil, nil, fmt.Errorf("site: example grid is %dx%d, smaller than one 28x28 image", b.Dx(), b.Dy())
	}
	dst := image.NewGray(image.Rect(0, 0, 32, 32))
	draw.Draw(dst, image.Rect(2, 2, 30, 30), src, src.Bounds().Min.Add(image.Pt(1, 1)), draw.Src)
	var b bytes.Buffer
	if err := png.Encode(&b, dst); err != nil {
		return nil, nil, err
	}
	// ICONDIR (reserved, type 1, one image), then its ICONDIRENTRY
	// (32x32, no palette, 1 plane, 32 bpp, size, offset 22) and the PNG
	var h bytes.Buffer
	binary.Write(&h, binary.LittleEndian, [3]uint16{0, 1, 1})
	h.Write([]byte{32, 32, 0, 0})
	binary.Write(&h, binary.LittleEndian, [2]uint16{1, 32})
	binary.Write(&h, binary.LittleEndian, [2]uint32{uint32(b.Len()), 22})
	return b.Bytes(), append(h.Bytes(), b.Bytes()...), nil
}
