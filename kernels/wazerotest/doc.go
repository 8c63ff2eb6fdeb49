// Package wazerotest is qdiff's headless harness: it runs GOOS=wasip1
// builds of the kernels under wazero (compiler engine, SIMD enabled), so
// that the wasm SIMD kernels are tested and benchmarked without a browser.
//
// It builds wasm modules with the pinned Go toolchain (Build), runs them
// with the host's file system mounted (Run), and backs the go test -exec
// runner cmd/wazero-run, with which the whole kernels test suite runs as a
// wasip1 SIMD build.
package wazerotest
