// Command wazero-run runs a GOOS=wasip1 program or test binary under
// wazero (compiler engine, SIMD on). It is the go test -exec runner of
// `make test`:
//
//	GOOS=wasip1 GOARCH=wasm GOEXPERIMENT=simd go test -exec wazero-run ./kernels
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/qdiff/qdiff/kernels/wazerotest"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: wazero-run module.wasm [args...]")
		os.Exit(2)
	}
	ctx := context.Background()
	m, err := wazerotest.Compile(ctx, os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "wazero-run:", err)
		os.Exit(1)
	}
	defer m.Close(ctx)
	err = m.Run(ctx, wazerotest.Config{Args: os.Args[2:], Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	var ee *wazerotest.ExitError
	if errors.As(err, &ee) {
		os.Exit(int(ee.Code))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wazero-run:", err)
		os.Exit(1)
	}
}
