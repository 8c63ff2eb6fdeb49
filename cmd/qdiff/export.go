package main

import (
	"flag"

	"github.com/qdiff/qdiff/models/plot"
	"github.com/qdiff/qdiff/models/unet"
)

func init() {
	register("export-unet", "write a checkpoint's EMA weights as a zoo model", exportUNet)
	register("plot-loss", "draw a training loss CSV as a PNG", plotLoss)
}

func exportUNet(args []string) error {
	fs := flag.NewFlagSet("export-unet", flag.ContinueOnError)
	ckpt := fs.String("ckpt", "models/checkpoints/unet.ckpt.safetensors", "training checkpoint")
	out := fs.String("o", "models/zoo/unet.fp32.safetensors", "output model")
	raw := fs.Bool("raw", false, "export the current weights instead of the EMA (for an unfinished run)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return unet.ExportUNet(*ckpt, *out, *raw)
}

func plotLoss(args []string) error {
	fs := flag.NewFlagSet("plot-loss", flag.ContinueOnError)
	in := fs.String("csv", "models/checkpoints/unet.loss.csv", "step,loss CSV")
	out := fs.String("o", "loss.png", "output PNG")
	window := fs.Int("window", 100, "moving-average window (steps)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	ys, err := readLossCSV(*in)
	if err != nil {
		return err
	}
	return plot.WritePNG(*out, plot.LossPlot(ys, max(*window, 1), 800, 400))
}
