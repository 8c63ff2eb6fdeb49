package wazerotest

import (
	"bytes"
	"errors"
	"fmt"
)

// FuncBodies maps each named function of a wasm binary to its code body.
// It reads the import, code and "name" sections.
func FuncBodies(bin []byte) (map[string][]byte, error) {
	if len(bin) < 8 || !bytes.Equal(bin[:4], []byte("\x00asm")) {
		return nil, errors.New("wasmbin: not a wasm binary")
	}
	r := &reader{b: bin, p: 8}
	var imported int
	var bodies [][]byte
	names := map[uint32]string{}
	for r.p < len(r.b) {
		id := r.byte()
		size := int(r.uleb())
		if r.err != nil || r.p+size > len(r.b) {
			return nil, fmt.Errorf("wasmbin: truncated section %d", id)
		}
		sec := &reader{b: r.b[r.p : r.p+size]}
		r.p += size
		switch id {
		case 2: // imports
			for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
				sec.name()
				sec.name()
				switch sec.byte() {
				case 0:
					sec.uleb()
					imported++
				case 1:
					sec.byte()
					sec.limits()
				case 2:
					sec.limits()
				case 3:
					sec.byte()
					sec.byte()
				}
			}
		case 10: // code
			for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
				sz := int(sec.uleb())
				if sec.p+sz > len(sec.b) {
					return nil, errors.New("wasmbin: truncated code body")
				}
				bodies = append(bodies, sec.b[sec.p:sec.p+sz])
				sec.p += sz
			}
		case 0: // custom
			if sec.name() != "name" {
				continue
			}
			for sec.p < len(sec.b) && sec.err == nil {
				sub := sec.byte()
				sz := int(sec.uleb())
				if sub != 1 {
					sec.p += sz
					continue
				}
				for n := sec.uleb(); n > 0 && sec.err == nil; n-- {
					idx := uint32(sec.uleb())
					names[idx] = sec.name()
				}
			}
		}
		if sec.err != nil {
			return nil, fmt.Errorf("wasmbin: section %d: %w", id, sec.err)
		}
	}
	out := map[string][]byte{}
	for idx, name := range names {
		if i := int(idx) - imported; i >= 0 && i < len(bodies) {
			out[name] = bodies[i]
		}
	}
	return out, nil
}

// SIMDCount counts the 0xFD (SIMD prefix) bytes of a function body: an
// upper bound of its SIMD instructions, and 0 for code without any.
func SIMDCount(body []byte) int { return bytes.Count(body, []byte{0xFD}) }

type reader struct {
	b   []byte
	p   int
	err error
}

func (r *reader) byte() byte {
	if r.p >= len(r.b) {
		r.err = errors.New("unexpected end")
		return 0
	}
	r.p++
	return r.b[r.p-1]
}

func (r *reader) uleb() uint64 {
	var v uint64
	for s := 0; s < 64; s += 7 {
		c := r.byte()
		v |= uint64(c&0x7f) << s
		if c&0x80 == 0 {
			return v
		}
	}
	r.err = errors.New("bad LEB128")
	return 0
}

func (r *reader) name() string {
	n := int(r.uleb())
	if r.p+n > len(r.b) {
		r.err = errors.New("name past end")
		return ""
	}
	s := string(r.b[r.p : r.p+n])
	r.p += n
	return s
}

func (r *reader) limits() {
	if r.byte()&1 != 0 {
		r.uleb()
	}
	r.uleb()
}
