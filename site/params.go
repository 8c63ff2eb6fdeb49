package site

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/qdiff/qdiff/models/engine"
)

// Param is one generation setting's accepted range. One table serves the
// page's form, its URL parameters, the <qdiff-generator> attributes (the
// builder writes it into client.js) and the docs.
type Param struct {
	Name    string  `json:"name"`
	Min     float64 `json:"min"`
	Max     float64 `json:"max"`
	Step    float64 `json:"step"` // 1: whole numbers; 0: any number
	Default float64 `json:"default"`
}

// Params are the generation settings (size only for the element).
var Params = []Param{
	{Name: "digit", Min: -1, Max: 9, Step: 1, Default: -1},
	{Name: "n", Min: 1, Max: 16, Step: 1, Default: 8},
	{Name: "steps", Min: 1, Max: 1000, Step: 1, Default: 20},
	{Name: "guidance", Min: 0, Max: 50, Step: 0, Default: 3},
	{Name: "seed", Min: 0, Max: 1 << 53, Step: 1, Default: 1},
	{Name: "size", Min: 32, Max: 512, Step: 1, Default: 112},
}

// param returns the named Param (the zero Param for an unknown name).
func param(name string) Param {
	for _, p := range Params {
		if p.Name == name {
			return p
		}
	}
	return Param{}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// MinAttr, MaxAttr, StepAttr and Value are the form input's attributes.
func (p Param) MinAttr() string { return num(p.Min) }
func (p Param) MaxAttr() string { return num(p.Max) }
func (p Param) Value() string   { return num(p.Default) }
func (p Param) StepAttr() string {
	if p.Step == 0 {
		return "any"
	}
	return num(p.Step)
}

// Range says the accepted values in words, for the docs.
func (p Param) Range() string {
	if p.Step == 1 {
		return "whole number " + num(p.Min) + "–" + num(p.Max)
	}
	return num(p.Min) + "–" + num(p.Max)
}

// Help is the one-line explanation of each control on the page (its
// tooltip and its line in the explainer).
var Help = map[string]string{
	"digit":     "Which digit the model is asked to draw: the U-Net is conditioned on the class. Random picks one per image from its seed.",
	"n":         "How many images; image i starts from seed + i, and the images are shared out over the worker threads.",
	"sampler":   "DDIM walks the noise schedule in a few deterministic jumps; DDPM takes all 1000 small random steps (50 times slower).",
	"steps":     "DDIM denoising steps: each is one pass of the U-Net (two with guidance). Fewer is faster and rougher.",
	"guidance":  "Classifier-free guidance: 0 ignores the chosen digit, higher follows it more strictly at the cost of variety; 3 is a good start.",
	"precision": "W8A8 runs the U-Net in int8 weights and activations, W4A8 with 4-bit weights, FP32 is the float reference (a 4 MB download).",
	"seed":      "The starting noise. The same seed and settings give the same images, on any machine: the arithmetic is integer and exact.",
	"compare":   "Also runs FP32 on the same seeds, with a heat map of where the quantized image differs.",
}

// paramsJSON is Params as JSON (for client.js).
func paramsJSON() ([]byte, error) { return json.Marshal(Params) }

// exampleAlt describes the example grid: Params' default count of
// images from the default seed, each digit drawn by engine.RandomDigit as
// the page and `qdiff generate` do.
func exampleAlt() string {
	n, seed := int(param("n").Default), uint64(param("seed").Default)
	d := make([]string, n)
	for i := range d {
		d[i] = strconv.Itoa(engine.RandomDigit(seed + uint64(i)))
	}
	return "Example output: " + strconv.Itoa(n) + " generated digits, " + strings.Join(d, ", ")
}

// fp32Bytes is the size of the FP32 weights (0 if the site has none).
func fp32Bytes(m Manifest) int {
	if mm := m.Model("fp32"); mm != nil {
		return mm.Bytes
	}
	return 0
}
