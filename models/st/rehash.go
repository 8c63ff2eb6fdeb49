package st

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// hashValue returns the offset of the value of the single SHA256 entry
// in header, written as Encode writes it ("qdiff.sha256":"<64 hex>"), or
// -1. (No regexp: this package is in the browser's wasm.)
func hashValue(header []byte) int {
	key := []byte(`"` + SHA256 + `":"`)
	at := -1
	for i := 0; ; {
		j := bytes.Index(header[i:], key)
		if j < 0 {
			return at
		}
		v := i + j + len(key)
		if v+len(hashZeros) < len(header) && header[v+len(hashZeros)] == '"' &&
			bytes.IndexFunc(header[v:v+len(hashZeros)], func(r rune) bool { return !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') }) < 0 {
			if at >= 0 {
				return -1
			}
			at = v
		}
		i = v
	}
}

// Rehash returns a copy of a safetensors file with its whole-file hash
// (SHA256) recomputed, for a file edited on purpose: the fuzz targets use
// it so that their mutations reach the decoders behind the hash check.
// The file must hold the entry once, as Encode writes it.
func Rehash(b []byte) ([]byte, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("safetensors: file of %d bytes is too short", len(b))
	}
	hl := binary.LittleEndian.Uint64(b)
	if hl > maxHeader || hl > uint64(len(b)-8) {
		return nil, fmt.Errorf("safetensors: header length %d does not fit a %d-byte file", hl, len(b))
	}
	at := hashValue(b[8 : 8+hl])
	if at < 0 {
		return nil, fmt.Errorf("safetensors: no single %s entry to recompute", SHA256)
	}
	out := bytes.Clone(b)
	h := out[8 : 8+hl]
	val := h[at : at+len(hashZeros)]
	copy(val, hashZeros)
	sum, err := fileSum(h, out[8+hl:], hashZeros)
	if err != nil {
		return nil, err
	}
	copy(val, sum)
	return out, nil
}
