package st

import (
	"bytes"
	"testing"
)

func TestRehash(t *testing.T) {
	good, err := sample()
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(bytes.Clone(good), []byte(`"qdiff.kind":"model"`), []byte(`"qdiff.kind":"other"`), 1)
	if _, err := Decode(edited); err == nil {
		t.Fatal("edited file accepted before Rehash")
	}
	fixed, err := Rehash(edited)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Decode(fixed)
	if err != nil || f.Meta["qdiff.kind"] != "other" {
		t.Fatalf("rehashed file: %v %v", f, err)
	}
	again, _ := Rehash(good)
	if !bytes.Equal(again, good) {
		t.Error("Rehash of an intact file changed it")
	}
	for _, bad := range [][]byte{nil, good[:8], mustHeader(`{}`, 0)} {
		if _, err := Rehash(bad); err == nil {
			t.Errorf("Rehash(%q) accepted", bad)
		}
	}
}
