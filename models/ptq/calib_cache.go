package ptq

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/qdiff/qdiff/models/st"
)

// CachedCalibration returns the calibration set for key from dir, or calls
// gen and stores its result there (dir empty: no cache). The key must name
// everything the set depends on (the model's bytes, the sampler, the
// options), since generating 1,024 NDTC inputs takes minutes and both
// `qdiff quantize` and `qdiff ablation` need the same sets.
func CachedCalibration(dir, key string, gen func() ([]CalibInput, error)) ([]CalibInput, bool, error) {
	if dir == "" {
		set, err := gen()
		return set, false, err
	}
	sum := sha256.Sum256([]byte(key))
	path := filepath.Join(dir, "calib-"+hex.EncodeToString(sum[:8])+".safetensors")
	if f, err := st.ReadFile(path); err == nil && f.Meta["key"] == key {
		set, err := decodeCalib(f)
		if err == nil {
			return set, true, nil
		}
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, false, err
	}
	set, err := gen()
	if err != nil {
		return nil, false, err
	}
	if len(set) == 0 {
		return set, false, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, err
	}
	n, px := len(set), len(set[0].X)
	x, tl := make([]float32, 0, n*px), make([]float32, 0, 2*n)
	for _, c := range set {
		if len(c.X) != px {
			return nil, false, fmt.Errorf("calibration: inputs of %d and %d values", px, len(c.X))
		}
		x = append(x, c.X...)
		tl = append(tl, float32(c.T), float32(c.Label))
	}
	err = st.WriteFile(path, map[string]string{"key": key}, []st.Tensor{
		st.F32Tensor("x", []int{n, px}, x), st.F32Tensor("t_label", []int{n, 2}, tl)})
	return set, false, err
}

func decodeCalib(f *st.File) ([]CalibInput, error) {
	xt, ok1 := f.Get("x")
	tt, ok2 := f.Get("t_label")
	if !ok1 || !ok2 || len(xt.Shape) != 2 || len(tt.Shape) != 2 || xt.Shape[0] != tt.Shape[0] || tt.Shape[1] != 2 {
		return nil, fmt.Errorf("calibration cache: bad tensors")
	}
	x, err := xt.F32()
	if err != nil {
		return nil, err
	}
	tl, err := tt.F32()
	if err != nil {
		return nil, err
	}
	n, px := xt.Shape[0], xt.Shape[1]
	set := make([]CalibInput, n)
	for i := range set {
		set[i] = CalibInput{X: x[i*px : (i+1)*px], T: int(tl[2*i]), Label: int(tl[2*i+1])}
	}
	return set, nil
}

// FileKey is the sha256 of a file's bytes, for cache keys.
func FileKey(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:]), nil
}
