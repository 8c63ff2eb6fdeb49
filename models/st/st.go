// Package st reads and writes safetensors files (see models/FORMAT.md):
// an 8-byte little-endian header length, a JSON header, raw little-endian
// data, with qdiff's data hash in the metadata.
package st

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// Safetensors limits: a header larger than this is refused.
const maxHeader = 16 << 20

// Tensor is one named tensor of a safetensors file, data little-endian.
type Tensor struct {
	Name  string
	DType string // F32, F16, I32, I8, U8
	Shape []int
	Data  []byte
}

// dtypeSize maps the dtypes qdiff uses to their byte sizes.
var dtypeSize = map[string]int{"F32": 4, "F16": 2, "I32": 4, "I8": 1, "U8": 1}

// F32Tensor wraps float32 values as a tensor.
func F32Tensor(name string, shape []int, v []float32) Tensor {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return Tensor{Name: name, DType: "F32", Shape: shape, Data: b}
}

// F32 decodes an F32 tensor.
func (t Tensor) F32() ([]float32, error) {
	if t.DType != "F32" {
		return nil, fmt.Errorf("safetensors: %s is %s, want F32", t.Name, t.DType)
	}
	v := make([]float32, len(t.Data)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.Data[4*i:]))
	}
	return v, nil
}

// File is a parsed safetensors file.
type File struct {
	Meta    map[string]string
	Tensors []Tensor // in file order
}

// Get returns the tensor called name.
func (f *File) Get(name string) (Tensor, bool) {
	for _, t := range f.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return Tensor{}, false
}

type headerEntry struct {
	DType   string
	Shape   []int
	Offsets [2]int
}

// entry reads one tensor's header object.
func entry(v any) (headerEntry, error) {
	var e headerEntry
	m, ok := v.(map[string]any)
	if !ok {
		return e, fmt.Errorf("not an object")
	}
	if e.DType, ok = m["dtype"].(string); !ok {
		return e, fmt.Errorf("dtype is not a string")
	}
	shape, ok := m["shape"].([]any)
	if !ok {
		return e, fmt.Errorf("shape is not an array")
	}
	e.Shape = make([]int, len(shape))
	for i, d := range shape {
		if e.Shape[i], ok = JSONInt(d); !ok {
			return e, fmt.Errorf("shape[%d] is not a whole number", i)
		}
	}
	offs, ok := m["data_offsets"].([]any)
	if !ok || len(offs) != 2 {
		return e, fmt.Errorf("data_offsets is not a pair")
	}
	for i, o := range offs {
		if e.Offsets[i], ok = JSONInt(o); !ok {
			return e, fmt.Errorf("data_offsets[%d] is not a whole number", i)
		}
	}
	return e, nil
}

// DataSHA256 is the metadata key of files written before the whole-file
// hash: the hex sha256 of the data section alone. Readers still check it
// (the committed weights carry it); Encode no longer writes it.
const DataSHA256 = "qdiff.data_sha256"

// SHA256 is the metadata key holding the hex sha256 of the whole file
// (header and data) with this key's own value written as 64 zeros; see
// models/FORMAT.md. Encode writes it; Decode requires it or DataSHA256.
const SHA256 = "qdiff.sha256"

// hashZeros stands for SHA256's value while the hash is computed.
var hashZeros = bytes.Repeat([]byte{'0'}, 2*sha256.Size)

// hashField is the exact text of the SHA256 entry in a header, as
// Encode writes it.
func hashField(hexSum []byte) []byte {
	return append(append([]byte(`"`+SHA256+`":"`), hexSum...), '"')
}

// fileSum hashes the header with SHA256's value replaced by zeros, then
// the data section. The header must hold the entry exactly once.
func fileSum(header, data []byte, hexSum []byte) ([]byte, error) {
	field := hashField(hexSum)
	if bytes.Count(header, field) != 1 {
		return nil, fmt.Errorf("safetensors: %s is not written as one plain %q entry", SHA256, SHA256)
	}
	s := sha256.New()
	s.Write(bytes.Replace(header, field, hashField(hashZeros), 1))
	s.Write(data)
	return hex.AppendEncode(nil, s.Sum(nil)), nil
}

// Encode writes tensors and metadata as safetensors bytes. The data
// section's sha256 is added to the metadata under DataSHA256.
func Encode(meta map[string]string, ts []Tensor) ([]byte, error) {
	var data bytes.Buffer
	hj := []byte{'{'}
	seen := map[string]bool{}
	for _, t := range ts {
		if err := checkTensor(t); err != nil {
			return nil, err
		}
		if seen[t.Name] || t.Name == "__metadata__" {
			return nil, fmt.Errorf("safetensors: duplicate or reserved name %q", t.Name)
		}
		seen[t.Name] = true
		off := data.Len()
		data.Write(t.Data)
		hj = AppendJSONString(hj, t.Name)
		hj = append(hj, `:{"dtype":`...)
		hj = AppendJSONString(hj, t.DType)
		hj = append(hj, `,"shape":[`...)
		for i, d := range t.Shape {
			if i > 0 {
				hj = append(hj, ',')
			}
			hj = strconv.AppendInt(hj, int64(d), 10)
		}
		hj = fmt.Appendf(hj, `],"data_offsets":[%d,%d]},`, off, data.Len())
	}
	m := map[string]string{}
	for k, v := range meta {
		m[k] = v
	}
	// a decoded file's old hashes must not travel into the new one
	delete(m, DataSHA256)
	m[SHA256] = string(hashZeros)
	hj = append(hj, `"__metadata__":`...)
	hj = appendStringMap(hj, m)
	hj = append(hj, '}')
	for len(hj)%8 != 0 {
		hj = append(hj, ' ')
	}
	sum, err := fileSum(hj, data.Bytes(), hashZeros)
	if err != nil {
		return nil, err
	}
	hj = bytes.Replace(hj, hashField(hashZeros), hashField(sum), 1)
	out := make([]byte, 8, 8+len(hj)+data.Len())
	binary.LittleEndian.PutUint64(out, uint64(len(hj)))
	out = append(out, hj...)
	return append(out, data.Bytes()...), nil
}

func checkTensor(t Tensor) error {
	sz, ok := dtypeSize[t.DType]
	if !ok {
		return fmt.Errorf("safetensors: %s: unsupported dtype %q", Clip(t.Name), Clip(t.DType))
	}
	n := 1
	for _, s := range t.Shape {
		if s < 0 || (s > 0 && n > math.MaxInt32/s) {
			return fmt.Errorf("safetensors: %s: bad shape %v", Clip(t.Name), clipShape(t.Shape))
		}
		n *= s
	}
	if n*sz != len(t.Data) {
		return fmt.Errorf("safetensors: %s: shape %v of %s needs %d bytes, has %d", Clip(t.Name), clipShape(t.Shape), t.DType, n*sz, len(t.Data))
	}
	return nil
}

// Decode parses safetensors bytes, checking the header, every tensor's
// bounds and size, and the file's hash (SHA256, or DataSHA256 in older
// files; a file with neither is refused). Its error messages are bounded:
// no part of a crafted file is repeated at length.
func Decode(b []byte) (*File, error) {
	f, err := decode(b)
	return f, bound(err)
}

func decode(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("safetensors: file of %d bytes is too short", len(b))
	}
	hl := binary.LittleEndian.Uint64(b)
	if hl > maxHeader || hl > uint64(len(b)-8) {
		return nil, fmt.Errorf("safetensors: header length %d does not fit a %d-byte file", hl, len(b))
	}
	hv, err := ParseJSON(b[8 : 8+hl])
	if err != nil {
		return nil, fmt.Errorf("safetensors: header: %w", err)
	}
	raw, ok := hv.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("safetensors: header is not an object")
	}
	data := b[8+hl:]
	f := &File{Meta: map[string]string{}}
	if m, ok := raw["__metadata__"]; ok {
		mm, ok := m.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("safetensors: metadata is not an object")
		}
		for k, v := range mm {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("safetensors: metadata %q is not a string", Clip(k))
			}
			f.Meta[k] = s
		}
		delete(raw, "__metadata__")
	}
	names := make([]string, 0, len(raw))
	for k := range raw {
		names = append(names, k)
	}
	slices.Sort(names)
	type placed struct {
		a, z int
		t    Tensor
	}
	var ps []placed
	for _, name := range names {
		e, err := entry(raw[name])
		if err != nil {
			return nil, fmt.Errorf("safetensors: entry %q: %w", Clip(name), err)
		}
		a, z := e.Offsets[0], e.Offsets[1]
		if a < 0 || z < a || z > len(data) {
			return nil, fmt.Errorf("safetensors: %q: offsets [%d, %d] outside %d data bytes", Clip(name), a, z, len(data))
		}
		t := Tensor{Name: name, DType: e.DType, Shape: e.Shape, Data: data[a:z]}
		if err := checkTensor(t); err != nil {
			return nil, err
		}
		ps = append(ps, placed{a, z, t})
	}
	slices.SortStableFunc(ps, func(x, y placed) int { return x.a - y.a })
	for i, p := range ps {
		if i > 0 && p.a < ps[i-1].z {
			return nil, fmt.Errorf("safetensors: tensors %q and %q overlap in the data section", Clip(ps[i-1].t.Name), Clip(p.t.Name))
		}
		f.Tensors = append(f.Tensors, p.t)
	}
	if want, ok := f.Meta[SHA256]; ok {
		if len(want) != len(hashZeros) {
			return nil, fmt.Errorf("safetensors: %s is not a hex sha256", SHA256)
		}
		got, err := fileSum(b[8:8+hl], data, []byte(want))
		if err != nil {
			return nil, err
		}
		if string(got) != want {
			return nil, fmt.Errorf("safetensors: sha256 mismatch: the file is corrupt, truncated or edited")
		}
	} else if want, ok := f.Meta[DataSHA256]; ok {
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != want {
			return nil, fmt.Errorf("safetensors: data sha256 mismatch: the file is corrupt or truncated")
		}
	} else {
		return nil, fmt.Errorf("safetensors: no %s in the metadata: not a qdiff file, or its hash was removed", SHA256)
	}
	return f, nil
}

// ReadFile loads and decodes a safetensors file.
func ReadFile(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<31))
	if err != nil {
		return nil, err
	}
	st, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return st, nil
}

// WriteFile encodes and writes atomically (temp file, then rename).
func WriteFile(path string, meta map[string]string, ts []Tensor) error {
	b, err := Encode(meta, ts)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
