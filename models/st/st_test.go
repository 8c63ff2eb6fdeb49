package st

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

func sample() ([]byte, error) {
	return Encode(map[string]string{"qdiff.kind": "model"}, []Tensor{
		F32Tensor("a.weight", []int{2, 3}, []float32{1, 2, 3, 4, 5, -6}),
		{Name: "b", DType: "I8", Shape: []int{3}, Data: []byte{1, 0xff, 7}},
	})
}

func TestFile_RoundTrip(t *testing.T) {
	b, err := sample()
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Meta["qdiff.kind"] != "model" || len(f.Meta[SHA256]) != 64 || f.Meta[DataSHA256] != "" {
		t.Fatalf("metadata %v", f.Meta)
	}
	if len(f.Tensors) != 2 || f.Tensors[0].Name != "a.weight" || f.Tensors[1].Name != "b" {
		t.Fatalf("tensors out of order: %+v", f.Tensors)
	}
	v, err := f.Tensors[0].F32()
	if err != nil || v[5] != -6 {
		t.Fatalf("F32 %v %v", v, err)
	}
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := WriteFile(path, nil, f.Tensors); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
}

func TestDecode_Corrupt(t *testing.T) {
	good, _ := sample()
	flip := bytes.Clone(good)
	flip[len(flip)-1] ^= 1
	huge := bytes.Clone(good)
	binary.LittleEndian.PutUint64(huge, 1<<40)
	for name, b := range map[string][]byte{
		"empty":           {},
		"short header":    good[:8],
		"truncated data":  good[:len(good)-2],
		"data bit flip":   flip,
		"header too long": huge,
		"bad json":        append([]byte{4, 0, 0, 0, 0, 0, 0, 0}, []byte("{x: }")...),
		"bad offsets":     mustHeader(`{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}`, 4),
		"size mismatch":   mustHeader(`{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4),
		"unknown dtype":   mustHeader(`{"t":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}`, 4),
		"overlap":         mustHeader(`{"t":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"u":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}`, 4),
		"negative shape":  mustHeader(`{"t":{"dtype":"U8","shape":[-4],"data_offsets":[0,4]}}`, 4),
	} {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func mustHeader(h string, data int) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, uint64(len(h)))
	b = append(b, h...)
	return append(b, make([]byte, data)...)
}

func FuzzDecode(f *testing.F) {
	good, _ := sample()
	f.Add(good)
	f.Add(mustHeader(`{"t":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}`, 4))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := Decode(b)
		if err != nil {
			return
		}
		// whatever decodes must re-encode and decode to the same tensors
		again, err := Encode(file.Meta, file.Tensors)
		if err != nil {
			t.Fatalf("decoded file does not re-encode: %v", err)
		}
		f2, err := Decode(again)
		if err != nil || len(f2.Tensors) != len(file.Tensors) {
			t.Fatalf("re-encoded file does not decode: %v", err)
		}
	})
}
