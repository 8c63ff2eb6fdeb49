package unet

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/st"
)

// LoadUNet reads a U-Net from a zoo model file (tensors named by
// parameter) or a training checkpoint (its EMA weights, ema/<name>).
func LoadUNet(path string) (*UNet, *st.File, error) { return loadUNet(path, "ema/") }

// LoadUNetRaw is LoadUNet reading a checkpoint's current (not averaged)
// weights, for looking at a run early, before the average has warmed up.
func LoadUNetRaw(path string) (*UNet, *st.File, error) { return loadUNet(path, "param/") }

func loadUNet(path, ckptPrefix string) (*UNet, *st.File, error) {
	f, err := st.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	cfg := DefaultUNet
	if s, ok := f.Meta["qdiff.unet_config"]; ok {
		if err := json.Unmarshal([]byte(s), &cfg); err != nil {
			return nil, nil, fmt.Errorf("%s: qdiff.unet_config: %w", path, err)
		}
	}
	if cfg.Size != 28 || cfg.Classes < 1 || cfg.Groups < 1 || cfg.EmbDim < 1 || cfg.TimeDim < 2 {
		return nil, nil, fmt.Errorf("%s: implausible U-Net config %+v", path, cfg)
	}
	u := NewUNet(cfg, 0)
	prefix := ""
	if f.Meta["qdiff.kind"] == "checkpoint" {
		prefix = ckptPrefix
	}
	for _, p := range u.Params() {
		if err := nn.LoadInto(f, prefix+p.Name, p.W); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return u, f, nil
}

// ExportUNet writes the EMA weights of checkpoint ckpt (its current
// weights when raw is set) as a zoo model.
func ExportUNet(ckpt, out string, raw bool) error {
	load, which := LoadUNet, "ema"
	if raw {
		load, which = LoadUNetRaw, "current (not averaged)"
	}
	u, f, err := load(ckpt)
	if err != nil {
		return err
	}
	return SaveUNet(u, f, out, which, nil)
}

func SaveUNet(u *UNet, f *st.File, out, which string, extra map[string]string) error {
	cfg, _ := json.Marshal(u.Cfg)
	meta := map[string]string{"qdiff.kind": "model", "qdiff.model": "unet-ddpm-fp32",
		"qdiff.unet_config": string(cfg), "qdiff.schedule": "linear beta 1e-4..0.02, T=1000, epsilon prediction",
		"qdiff.params": strconv.Itoa(u.NumParams()), "qdiff.weights_kind": which}
	for _, k := range []string{"qdiff.step", "qdiff.elapsed_s"} {
		if v, ok := f.Meta[k]; ok {
			meta["qdiff.train_"+k[len("qdiff."):]] = v
		}
	}
	for _, k := range []string{"qdiff.train_step", "qdiff.train_elapsed_s"} { // a zoo model's own
		if v, ok := f.Meta[k]; ok {
			meta[k] = v
		}
	}
	for k, v := range extra {
		meta[k] = v
	}
	return nn.SaveParams(out, u.Params(), meta)
}
