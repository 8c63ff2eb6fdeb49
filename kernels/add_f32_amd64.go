//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

func init() {
	if archsimd.X86.AVX2() {
		addFast = addAVX2
		addVariant("add_f32", "amd64")
	}
}

// y = a + b, eight lanes a step
func addAVX2(a, b, y []float32) {
	n8 := len(a) &^ 7
	for i := 0; i < n8; i += 8 {
		archsimd.LoadFloat32x8(a[i : i+8]).Add(archsimd.LoadFloat32x8(b[i : i+8])).Store(y[i : i+8])
	}
	addRef(a[n8:], b[n8:len(a)], y[n8:len(a)])
}
