package mnist

import (
	"encoding/binary"
	"testing"
)

func idx(magic uint32, dims ...uint32) []byte {
	b := binary.BigEndian.AppendUint32(nil, magic)
	n := 1
	for _, d := range dims {
		b = binary.BigEndian.AppendUint32(b, d)
		n *= int(d)
	}
	return append(b, make([]byte, n)...)
}

func TestParseMNIST(t *testing.T) {
	img, lab := idx(0x803, 2, 28, 28), idx(0x801, 2)
	d, err := ParseMNIST(img, lab)
	if err != nil || d.N != 2 || len(d.Image(1)) != 784 {
		t.Fatalf("%+v %v", d, err)
	}
	badLabel := idx(0x801, 2)
	badLabel[9] = 10
	for name, c := range map[string][2][]byte{
		"image magic":    {idx(0x802, 2, 28, 28), lab},
		"label magic":    {img, idx(0x803, 2)},
		"truncated":      {img[:len(img)-1], lab},
		"short header":   {img[:10], lab},
		"count mismatch": {img, idx(0x801, 3)},
		"label range":    {img, badLabel},
		"huge header":    {idx(0x803, 1<<30, 0, 0)[:16], lab},
	} {
		if _, err := ParseMNIST(c[0], c[1]); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestLoadMNIST(t *testing.T) {
	dir, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	d, err := LoadMNIST(dir, "t10k")
	if err != nil {
		t.Fatal(err)
	}
	if d.N != 10000 || d.Rows != 28 || d.Cols != 28 {
		t.Fatalf("t10k: %d images of %dx%d", d.N, d.Rows, d.Cols)
	}
	if _, err := LoadMNIST(dir, "valid"); err == nil {
		t.Error("unknown split accepted")
	}
	if _, err := LoadMNIST(t.TempDir(), "train"); err == nil {
		t.Error("missing files accepted")
	}
}
