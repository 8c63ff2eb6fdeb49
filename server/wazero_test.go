package main

import (
	"bytes"
	"context"
	"io"

	"github.com/qdiff/qdiff/kernels/wazerotest"
)

func wazerotestBuild(ctx context.Context, out string) error {
	return wazerotest.Build(ctx, "github.com/qdiff/qdiff/models/engine/guest", out, true, false)
}

func wazerotestRun(ctx context.Context, wasm string, args ...string) ([]byte, error) {
	m, err := wazerotest.Compile(ctx, wasm)
	if err != nil {
		return nil, err
	}
	defer m.Close(ctx)
	var out bytes.Buffer
	err = m.Run(ctx, wazerotest.Config{Args: args, Stdout: &out, Stderr: io.Discard})
	return out.Bytes(), err
}
