package main

import (
	"strings"
	"testing"
)

// TestCommands_BadFlags: every command answers bad flags with an error
// that names the problem, before doing any work.
func TestCommands_BadFlags(t *testing.T) {
	cases := []struct {
		cmd  string
		args []string
		want string
	}{
		{"train-diffusion", []string{"-steps", "x"}, "invalid value"},
		{"train-binary", []string{"-epochs", "0"}, "-epochs"},
		{"train-binary", []string{"-london", "1.5"}, "-london"},
		{"binary-table", []string{"-seeds", "0"}, "-seeds"},
		{"prune", []string{"-sparsity", "0.5,2"}, "-sparsity"},
		{"prune-unet", []string{"-sparsity", "-1"}, "-sparsity"},
		{"prune-unet", []string{"-model", "/nonexistent"}, "nonexistent"},
		{"prune-unet", []string{"-retrain-steps", "-5"}, "-retrain-steps"},
		{"robust", []string{"-robust-n", "0"}, "-robust-n"},
		{"robust", []string{"-model", "/nonexistent"}, "nonexistent"},
		{"dialog", []string{"-train", "3"}, "-train"},
		{"generate", []string{"-digit", "12"}, "-digit"},
		{"generate", []string{"-n", "0"}, "-n"},
		{"generate", []string{"-steps", "5000"}, "-steps"},
		{"quantize", []string{"-prec", "w2a2"}, "w2a2"},
		{"ablation", []string{"-steps", "20,abc"}, "-steps"},
		{"site", []string{"-brotli", "12"}, "-brotli"},
		{"eval", []string{"-bogus"}, "bogus"},
	}
	for _, c := range cases {
		var run func([]string) error
		for _, k := range commands {
			if k.name == c.cmd {
				run = k.run
			}
		}
		if run == nil {
			t.Fatalf("no command %q", c.cmd)
		}
		err := run(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: error %v, want one mentioning %q", c.cmd, c.args, err, c.want)
		}
	}
}
