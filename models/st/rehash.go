package st

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"regexp"
)

// hashEntry finds the SHA256 entry in a header as Encode writes it.
var hashEntry = regexp.MustCompile(`"` + regexp.QuoteMeta(SHA256) + `":"[0-9a-f]{64}"`)

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
	header := b[8 : 8+hl]
	loc := hashEntry.FindAllIndex(header, 2)
	if len(loc) != 1 {
		return nil, fmt.Errorf("safetensors: no single %s entry to recompute", SHA256)
	}
	out := bytes.Clone(b)
	h := out[8 : 8+hl]
	val := h[loc[0][0]+len(SHA256)+4 : loc[0][1]-1]
	copy(val, hashZeros)
	sum, err := fileSum(h, out[8+hl:], hashZeros)
	if err != nil {
		return nil, err
	}
	copy(val, sum)
	return out, nil
}
