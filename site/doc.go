// Package site holds qdiff's pages as templ components, their static
// assets (static/) and the builder that writes a self-contained site
// folder: the GOOS=js wasm, Go's wasm_exec.js, the engine weights, all
// under content-hashed names, with gzip variants and the rendered pages.
package site
