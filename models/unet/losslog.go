package unet

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
)

// trimLossLog drops the rows of the step,loss CSV at path whose step is
// after step (the steps a killed run logged past its last checkpoint,
// which the resumed run trains and logs again) and a last row without its
// newline (cut short by the kill), so the resumed run appends whole rows
// once per step. A missing file is fine; the file is replaced whole only
// when rows are dropped.
func trimLossLog(path string, step int) error {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var keep []byte
	dropped := false
	for line := range bytes.Lines(b) {
		field, _, _ := bytes.Cut(line, []byte(","))
		s, err := strconv.Atoi(string(bytes.TrimSpace(field)))
		if (err == nil && s > step) || !bytes.HasSuffix(line, []byte("\n")) {
			dropped = true // past the checkpoint, or a row the kill cut short
			continue
		}
		keep = append(keep, line...)
	}
	if !dropped {
		return nil
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, keep, 0o644); err != nil {
		return fmt.Errorf("loss log: %w", err)
	}
	return os.Rename(tmp, path)
}
