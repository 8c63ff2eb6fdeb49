//go:build goexperiment.simd && wasm

package kernels

func init() {
	siluFast = siluWasm
	addVariant("silu_f32", "wasm")
}

// siluVec (silu_f32_wasm.s) is siluWasm's loop over n4 whole vectors in
// assembly, the constants held in registers.
//
//go:noescape
func siluVec(n4 int, x, y *float32, c *[12]float32)

// siluConsts are ExpF32's constants in the order siluVec loads them.
var siluConsts = [12]float32{expLo, expHi, expLog2e, expLn2Hi, expLn2Lo,
	expP0, expP1, expP2, expP3, expP4, expP5, 1}

// y = x * sigmoid(x) = x / (1 + exp(-x))
func siluWasm(x, y []float32) {
	n4 := len(x) &^ 3
	if n4 > 0 {
		_ = y[n4-1]
		siluVec(n4/4, &x[0], &y[0], &siluConsts)
	}
	siluRef(x[n4:], y[n4:len(x)])
}
