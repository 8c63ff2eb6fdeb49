package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

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
	dialog := fs.String("dialog", "models/zoo/dialog-bnet.safetensors", "SI-Dial model for the binary classifier (occlude tool; empty: none)")
	cards := fs.String("cards", "models/zoo/*.CARD.md", "model cards shown on the docs page (glob)")
	previews := fs.String("previews", "docs/previews/*.png", "preview images for the docs page (glob; make docs-images)")
	br := fs.Int("brotli", 11, "brotli quality of the precompressed variants, 0-11 (0: gzip only)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *br < 0 || *br > 11 {
		return fmt.Errorf("-brotli %d outside 0..11", *br)
	}
	cardFiles, err := filepath.Glob(*cards)
	if err != nil {
		return fmt.Errorf("-cards: %w", err)
	}
	prevFiles, err := filepath.Glob(*previews)
	if err != nil {
		return fmt.Errorf("-previews: %w", err)
	}
	_, err = site.Build(context.Background(), site.BuildOptions{Out: *out, Log: os.Stderr,
		Models: map[string]string{"fp32": *fp32, "w8a8": *w8, "w4a8": *w4}, Classifier: *bnet, Dialog: *dialog,
		Cards: cardFiles, Previews: prevFiles, Brotli: *br})
	return err
}
