package main

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// outputFlags are the flags that name files or folders a command writes.
var outputFlags = map[string]bool{"o": true, "raw": true, "best": true, "results": true, "ckpt": true, "loss-log": true}

// parseFlags parses a command's flags and checks them before any work:
// every float flag must be finite (flag.Float64 takes "NaN" and "Inf"), and
// every output's folder must exist and take a new file, so that a bad -o
// fails at once rather than after all the images are made.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil {
			return
		}
		g, ok := f.Value.(flag.Getter)
		if !ok {
			return
		}
		switch v := g.Get().(type) {
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				err = fmt.Errorf("-%s %v: want a finite number", f.Name, v)
			}
		case string:
			if outputFlags[f.Name] && v != "" {
				err = checkOutput(f.Name, v, fs.Name() == "site")
			}
		}
	})
	return err
}

// checkOutput reports whether path's folder exists and takes a new file
// (probed with a file created and removed at once), and that path is not
// a folder unless folder is set (site's -o).
func checkOutput(name, path string, folder bool) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() && !folder {
		return fmt.Errorf("-%s %s is a folder", name, path)
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return fmt.Errorf("-%s %s: folder %s does not exist", name, path, dir)
	}
	probe, err := os.CreateTemp(dir, ".qdiff-probe-*")
	if err != nil {
		return fmt.Errorf("-%s %s: cannot write in %s: %v", name, path, dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// parseFinite reads a float from a list flag, refusing NaN and infinities.
func parseFinite(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
		err = errors.New("not finite")
	}
	return v, err
}
