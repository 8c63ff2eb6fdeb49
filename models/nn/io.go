package nn

import (
	"fmt"

	"github.com/qdiff/qdiff/models/st"
)

// SaveParams writes params as F32 tensors with metadata.
func SaveParams(path string, ps []*Param, meta map[string]string) error {
	var ts []st.Tensor
	for _, p := range ps {
		ts = append(ts, st.F32Tensor(p.Name, p.Shape, p.W))
	}
	return st.WriteFile(path, meta, ts)
}

// LoadParams reads F32 tensors by name into ps.
func LoadParams(path string, ps []*Param) (*st.File, error) {
	f, err := st.ReadFile(path)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if err := LoadInto(f, p.Name, p.W); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return f, nil
}

// LoadInto copies the F32 tensor name into dst, checking its size.
func LoadInto(f *st.File, name string, dst []float32) error {
	t, ok := f.Get(name)
	if !ok {
		return fmt.Errorf("tensor %s missing", name)
	}
	v, err := t.F32()
	if err != nil {
		return err
	}
	if len(v) != len(dst) {
		return fmt.Errorf("tensor %s has %d values, want %d", name, len(v), len(dst))
	}
	copy(dst, v)
	return nil
}
