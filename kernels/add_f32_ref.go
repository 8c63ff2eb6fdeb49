package kernels

// addFast is the fastest Add built; the wasm variant replaces it.
var addFast = addRef

// Add writes y[i] = a[i] + b[i]; y may alias a or b.
func Add(a, b, y []float32) error {
	if err := needLen("Add", "b", len(b), len(a)); err != nil {
		return err
	}
	if err := needLen("Add", "y", len(y), len(a)); err != nil {
		return err
	}
	addFast(a, b, y)
	return nil
}

// y = a + b
func addRef(a, b, y []float32) {
	for i, v := range a {
		y[i] = v + b[i]
	}
}
