//go:build goexperiment.simd && wasm

package kernels

import "simd/archsimd"

func init() {
	addFast = addWasm
	addVariant("add_f32", "wasm")
}

// y = a + b
func addWasm(a, b, y []float32) {
	n4 := len(a) &^ 3
	for i := 0; i < n4; i += 4 {
		archsimd.LoadFloat32x4(a[i : i+4]).Add(archsimd.LoadFloat32x4(b[i : i+4])).Store(y[i : i+4])
	}
	addRef(a[n4:], b[n4:len(a)], y[n4:len(a)])
}
