package models

import (
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/qdiff/qdiff/"

// allowedImports lists, for every package under models (paths relative to
// the module), the packages of this module it may import. A new package
// must be added here, and with it the place it takes in the one-way order.
var allowedImports = map[string][]string{
	"models/st":              nil,
	"models/engine":          {"kernels", "models/st"},
	"models/engine/guest":    {"models/engine", "models/bnet"},
	"models/bnet":            {"kernels", "models/st"},
	"models/sidial":          {"models/st"},
	"models/nn":              {"kernels", "models/st"},
	"models/nn/nntest":       {"models/nn"},
	"models/mnist":           nil,
	"models/mnist/mnisttest": {"models/mnist"},
	"models/plot":            {"models/nn"},
	"models/unet":            {"models/nn", "models/mnist", "models/engine", "models/st"},
	"models/unet/unettest":   {"models/unet"},
	"models/classifier":      {"models/nn", "models/mnist", "models/st"},
	"models/metrics":         {"models/nn", "models/mnist", "models/unet", "models/classifier", "models/plot"},
	"models/ptq":             {"models/nn", "models/mnist", "models/unet", "models/engine", "kernels", "models/st"},
	"models/bnn":             {"models/nn", "models/mnist", "models/classifier", "models/bnet", "kernels", "models/st"},
	"models/prune":           {"models/nn", "models/mnist", "models/classifier", "models/unet"},
}

// Size limits of one package (non-test, non-generated files).
const (
	maxFiles = 12
	maxLines = 1500
)

// packages lists the Go package directories under models, relative to the
// module root.
func packages(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || p == "." {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if m, _ := filepath.Glob(filepath.Join(p, "*.go")); len(m) > 0 {
			dirs = append(dirs, "models/"+filepath.ToSlash(p))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestImports_OneWay keeps the imports under models flowing one way: each
// package imports only what allowedImports gives it (tests aside).
func TestImports_OneWay(t *testing.T) {
	for _, pkg := range packages(t) {
		allowed, ok := allowedImports[pkg]
		if !ok {
			t.Errorf("%s: a package the import rules do not know; add it to allowedImports", pkg)
			continue
		}
		bp, err := build.ImportDir(strings.TrimPrefix(pkg, "models/"), 0)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		for _, imp := range bp.Imports {
			rel, ok := strings.CutPrefix(imp, module)
			if ok && !slices.Contains(allowed, rel) {
				t.Errorf("%s imports %s, which its place in the order does not allow", pkg, rel)
			}
		}
	}
}

// TestPackages_Size keeps each package one concern of readable size.
func TestPackages_Size(t *testing.T) {
	for _, pkg := range packages(t) {
		bp, err := build.ImportDir(strings.TrimPrefix(pkg, "models/"), 0)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		files, lines := 0, 0
		for _, f := range bp.GoFiles {
			b, err := os.ReadFile(filepath.Join(bp.Dir, f))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), "Code generated") && strings.Contains(string(b), "DO NOT EDIT.") {
				continue
			}
			files++
			lines += strings.Count(string(b), "\n")
		}
		if files > maxFiles || lines > maxLines {
			t.Errorf("%s: %d files, %d lines (limits %d and %d): split it by concern", pkg, files, lines, maxFiles, maxLines)
		}
	}
}
