package site

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"testing"
)

func TestIcon(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 59, 30))
	g.SetGray(1, 1, color.Gray{Y: 200})   // first image, pixel (0, 0)
	g.SetGray(28, 28, color.Gray{Y: 100}) // first image, pixel (27, 27)
	g.SetGray(30, 1, color.Gray{Y: 255})  // second image: not in the icon
	var b bytes.Buffer
	if err := png.Encode(&b, g); err != nil {
		t.Fatal(err)
	}
	p, ico, err := icon(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(p))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 32 || img.Bounds().Dy() != 32 {
		t.Fatalf("icon %v, want 32x32", img.Bounds())
	}
	at := func(x, y int) uint8 { return color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y }
	if at(2, 2) != 200 || at(29, 29) != 100 || at(0, 0) != 0 || at(31, 2) != 0 {
		t.Errorf("icon pixels %d %d %d %d, want 200 100 0 0", at(2, 2), at(29, 29), at(0, 0), at(31, 2))
	}
	var hdr struct {
		Reserved, Type, Count uint16
		W, H, Colors, _       uint8
		Planes, BPP           uint16
		Size, Offset          uint32
	}
	if err := binary.Read(bytes.NewReader(ico), binary.LittleEndian, &hdr); err != nil {
		t.Fatal(err)
	}
	if hdr.Type != 1 || hdr.Count != 1 || hdr.W != 32 || int(hdr.Size) != len(p) || hdr.Offset != 22 || !bytes.Equal(ico[22:], p) {
		t.Errorf("favicon.ico header %+v", hdr)
	}
	if _, _, err := icon([]byte("not a png")); err == nil {
		t.Error("icon accepted a corrupt PNG")
	}
	small := image.NewGray(image.Rect(0, 0, 10, 10))
	b.Reset()
	png.Encode(&b, small)
	if _, _, err := icon(b.Bytes()); err == nil {
		t.Error("icon accepted a grid smaller than one image")
	}
}
