package main

import (
	"context"
	"flag"
	"os"

	"github.com/qdiff/qdiff/site"
)

func init() {
	register("site", "build the static site (pages, wasm, weights) into a folder", buildSite)
}

func buildSite(args []string) error {
	fs := flag.NewFlagSet("site", flag.ContinueOnError)
	out := fs.String("o", "dist", "output folder")
	fp32 := fs.String("fp32", "models/zoo/unet.engine-fp32.safetensors", "FP32 engine weights")
	w8 := fs.String("w8a8", "models/zoo/unet.w8a8.safetensors", "W8A8 engine weights")
	w4 := fs.String("w4a8", "models/zoo/unet.w4a8.safetensors", "W4A8 engine weights")
	bnet := fs.String("bnet", "models/zoo/bnet.safetensors", "binary classifier (labels and drawing pad; empty: none)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, err := site.Build(context.Background(), site.BuildOptions{Out: *out, Log: os.Stderr,
		Models: map[string]string{"fp32": *fp32, "w8a8": *w8, "w4a8": *w4}, Classifier: *bnet})
	return err
}
