package st

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// legacy builds a file as Encode wrote it before SHA256: the data hash
// alone under DataSHA256.
func legacy(meta string, data []byte) []byte {
	sum := sha256.Sum256(data)
	h := `{"t":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"__metadata__":{` + meta +
		`"` + DataSHA256 + `":"` + hex.EncodeToString(sum[:]) + `"}}`
	return append(mustHeader(h, 0), data...)
}

func TestDecode_Hash(t *testing.T) {
	good, err := Encode(map[string]string{"qdiff.kind": "model", "qdiff.engine_config": `{"Classes":10}`},
		[]Tensor{{Name: "t", DType: "U8", Shape: []int{2, 2}, Data: []byte{1, 2, 3, 4}}})
	if err != nil {
		t.Fatal(err)
	}
	edit := func(old, new string) []byte {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("%q not in the file", old)
		}
		return bytes.Replace(bytes.Clone(good), []byte(old), []byte(new), 1)
	}
	f, _ := Decode(good)
	sum := f.Meta[SHA256]
	for _, c := range []struct {
		name string
		b    []byte
		want string // "" = accepted
	}{
		{"as written", good, ""},
		{"legacy data hash", legacy(`"qdiff.kind":"model",`, []byte{1, 2, 3, 4}), ""},
		{"legacy data hash, data changed", append(legacy("", []byte{1, 2, 3, 4})[:len(legacy("", []byte{1, 2, 3, 4}))-1], 5), "data sha256 mismatch"},
		{"metadata edited", edit(`Classes\":10`, `Classes\":99`), "sha256 mismatch"},
		{"shape edited", edit(`"shape":[2,2]`, `"shape":[4,1]`), "sha256 mismatch"},
		{"data edited", append(bytes.Clone(good[:len(good)-1]), 9), "sha256 mismatch"},
		{"hash removed", edit(`"`+SHA256+`":"`+sum+`"`, `"qdiff.sha000":"`+sum+`"`), "no qdiff.sha256"},
		{"hash not hex", edit(sum, strings.Repeat("z", 64)), "sha256 mismatch"},
		{"hash escaped", mustHeader(`{"t":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},"__metadata__":{"qdiff.sha25\u0036":"`+sum+`"}}`, 4), "plain"},
		{"no hash at all", mustHeader(`{"t":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}`, 4), "no qdiff.sha256"},
	} {
		_, err := Decode(c.b)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// TestDecode_BoundedMessage: a 15 MB bogus header gives a short message.
func TestDecode_BoundedMessage(t *testing.T) {
	for name, h := range map[string]string{
		"long number":   `{"t":` + strings.Repeat("1", 15<<20) + `x}`,
		"long key":      `{"` + strings.Repeat("k", 15<<20) + `":1}`,
		"long metadata": `{"__metadata__":{"` + strings.Repeat("m", 15<<20) + `":1}}`,
	} {
		_, err := Decode(mustHeader(h, 0))
		if err == nil || len(err.Error()) > 600 {
			t.Errorf("%s: %d-byte error", name, len(err.Error()))
		}
	}
}
