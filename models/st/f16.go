package st

import (
	"encoding/binary"
	"fmt"
	"math"
)

// F16 conversions: IEEE 754 binary16, round to nearest even, subnormals
// kept, overflow to infinity. Quantized U-Nets store their per-channel
// float parameters as F16 (models/FORMAT.md); the values are rounded
// before export so that the file holds exactly the model that was
// evaluated.

// F16Bits returns the binary16 nearest to x (ties to even).
func F16Bits(x float32) uint16 {
	b := math.Float32bits(x)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	man := b & 0x7fffff
	switch {
	case exp == 0xff: // Inf, NaN
		if man != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp-127 > 15:
		return sign | 0x7c00
	case exp-127 >= -14: // normal half
		e := uint32(exp - 127 + 15)
		m := man >> 13
		rest := man & 0x1fff
		h := e<<10 | m
		if rest > 0x1000 || rest == 0x1000 && h&1 == 1 {
			h++ // a carry into the exponent is right, up to Inf
		}
		return sign | uint16(h)
	default: // subnormal half or zero: value = m * 2^-24
		if exp < 127-25 { // below half the smallest subnormal
			return sign
		}
		full := man | 0x800000 // 24-bit significand, value full * 2^(exp-150)
		shift := uint(-14-(exp-127)) + 13
		m := full >> shift
		rest := full & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rest > half || rest == half && m&1 == 1 {
			m++
		}
		return sign | uint16(m)
	}
}

// F16Value returns the float32 value of binary16 bits h (exact).
func F16Value(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	man := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f:
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp == 0:
		v := float32(man) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	default:
		return math.Float32frombits(sign | (exp+127-15)<<23 | man<<13)
	}
}

// RoundF16 rounds every value of v to the nearest binary16 in place.
func RoundF16(v []float32) {
	for i, x := range v {
		v[i] = F16Value(F16Bits(x))
	}
}

// F16Tensor wraps float32 values that binary16 holds exactly as an F16
// tensor; a value it does not hold is an error (round with RoundF16 first).
func F16Tensor(name string, shape []int, v []float32) (Tensor, error) {
	b := make([]byte, 2*len(v))
	for i, x := range v {
		h := F16Bits(x)
		if F16Value(h) != x && !(x != x) {
			return Tensor{}, fmt.Errorf("safetensors: %s[%d] = %v is not a binary16 value", name, i, x)
		}
		binary.LittleEndian.PutUint16(b[2*i:], h)
	}
	return Tensor{Name: name, DType: "F16", Shape: shape, Data: b}, nil
}

// Floats decodes an F32 or F16 tensor to float32 values.
func (t Tensor) Floats() ([]float32, error) {
	if t.DType != "F16" {
		return t.F32()
	}
	v := make([]float32, len(t.Data)/2)
	for i := range v {
		v[i] = F16Value(binary.LittleEndian.Uint16(t.Data[2*i:]))
	}
	return v, nil
}
