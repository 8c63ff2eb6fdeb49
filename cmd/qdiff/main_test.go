package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommands_BadFlags: every command answers bad flags with an error
// that names the problem, before doing any work.
func TestCommands_BadFlags(t *testing.T) {
	t.Chdir("../..") // the commands' default paths are relative to the repository root
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
		{"generate", []string{"-guidance", "NaN"}, "-guidance NaN: want a finite number"},
		{"generate", []string{"-guidance", "Inf"}, "-guidance +Inf: want a finite number"},
		{"generate", []string{"-o", "/nonexistent/x.png"}, "folder /nonexistent does not exist"},
		{"generate", []string{"-raw", "/nonexistent/x.raw"}, "-raw"},
		{"generate", []string{"-o", os.TempDir()}, "is a folder"},
		{"quantize", []string{"-mu", "-Inf"}, "-mu -Inf"},
		{"quantize", []string{"-prec", "w4a8", "-keep8", "in,nope", "-o", os.TempDir() + "/never.safetensors"}, `-keep8: ptq: no layer "nope"`},
		{"sample", []string{"-eta", "nan"}, "-eta NaN"},
		{"sample", []string{"-spacing", "9"}, "-spacing 9: engine: DDIM spacing power 9 outside (0, 4]"},
		{"sample", []string{"-steps", "1000", "-spacing", "2"}, "-spacing 2: engine: 1000 DDIM steps at spacing power 2 repeat time step"},
		{"eval", []string{"-spacing", "0"}, "-spacing 0: engine: DDIM spacing power 0 outside (0, 4]"},
		{"train-binary", []string{"-lr", "NaN"}, "-lr NaN"},
		{"prune", []string{"-sparsity", "0.5,NaN"}, "-sparsity"},
		{"site", []string{"-o", "/nonexistent/dist"}, "/nonexistent"},
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

// TestBuilt_AnyFolder builds qdiff as `make qdiff` does (guest embedded
// through -overlay) and runs it outside the repository with empty
// temporary and cache folders: -h exits 0, generate works in the default
// wazero mode, and nothing is left in either folder.
func TestBuilt_AnyFolder(t *testing.T) {
	t.Setenv("GOCACHE", os.Getenv("GOCACHE"))
	if testing.Short() {
		t.Skip("builds the guest and the command")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	build := t.TempDir()
	wasm := filepath.Join(build, guestWasm)
	overlay := filepath.Join(build, "overlay.json")
	bin := filepath.Join(build, "qdiff")
	cmds := [][]string{
		{"env", "GOOS=wasip1", "GOARCH=wasm", "go", "build", "-trimpath", "-o", wasm, "./models/engine/guest"},
		{"go", "build", "-overlay", overlay, "-o", bin, "./cmd/qdiff"},
	}
	js := fmt.Sprintf(`{"Replace":{%q:%q}}`, filepath.Join(root, "cmd/qdiff/guestwasm", guestWasm), wasm)
	if err := os.WriteFile(overlay, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", c, err, out)
		}
	}
	work, tmp, cache := t.TempDir(), t.TempDir(), t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "XDG_CACHE_HOME="+cache, "QDIFF_BUILD=")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run("generate", "-h"); err != nil || !strings.Contains(out, "-guidance") {
		t.Errorf("generate -h: %v\n%s", err, out)
	}
	if out, err := run("generate", "-guidance", "NaN"); err == nil || !strings.Contains(out, "finite") {
		t.Errorf("generate -guidance NaN: %v\n%s", err, out)
	}
	model := filepath.Join(root, "models/zoo/unet.w8a8.safetensors")
	if out, err := run("generate", "-model", model, "-n", "1", "-steps", "2", "-o", "grid.png"); err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	if st, err := os.Stat(filepath.Join(work, "grid.png")); err != nil || st.Size() == 0 {
		t.Errorf("no grid: %v", err)
	}
	for _, d := range []string{tmp, cache} {
		if left, _ := os.ReadDir(d); len(left) > 0 {
			t.Errorf("%s holds %d entries after the run (%s...)", d, len(left), left[0].Name())
		}
	}

	// built without the guest (plain go build): the guest is built from
	// the source tree into the user cache folder, still nothing in TMPDIR
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/qdiff")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	os.Setenv("GOCACHE", strings.TrimSpace(string(gocache))) // the go build it runs keeps the build cache
	if out, err := run("generate", "-model", model, "-n", "1", "-steps", "2", "-o", "grid2.png"); err != nil {
		t.Fatalf("generate without an embedded guest: %v\n%s", err, out)
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("TMPDIR holds %d entries after the run", len(left))
	}
	if m, _ := filepath.Glob(filepath.Join(cache, "qdiff", "guest-*", guestWasm)); len(m) != 1 {
		t.Errorf("the guest is not in the user cache folder: %v", m)
	}
}
