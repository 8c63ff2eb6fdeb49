package kernels

// Variant names one SIMD implementation of an op that this binary was
// built with and that the running machine supports.
type Variant struct {
	Op     string // op name as in the kernel table, e.g. "gemm_i8"
	Target string // "amd64" or "wasm"
}

var variants []Variant

func addVariant(op, target string) {
	variants = append(variants, Variant{Op: op, Target: target})
}

// Variants lists the SIMD variants active in this binary, in registration
// order. An op not listed runs its scalar reference.
func Variants() []Variant { return append([]Variant(nil), variants...) }

// SIMD reports whether op runs a SIMD variant in this binary.
func SIMD(op string) bool {
	for _, v := range variants {
		if v.Op == op {
			return true
		}
	}
	return false
}
