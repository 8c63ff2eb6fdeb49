package bnn

import (
	"context"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/qdiff/qdiff/models/classifier"
	"github.com/qdiff/qdiff/models/mnist/mnisttest"
)

// TestTrainBinary_Resume stops a run after one epoch and resumes it from
// the checkpoint: the network must equal that of an uninterrupted run.
func TestTrainBinary_Resume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	test := mnisttest.Test(t)
	train, held := test.Slice(0, 256), test.Slice(2000, 100)
	cfg := BinaryTrain{Epochs: 2, Batch: 32, LR: 3e-3, Seed: 2, RecalBN: 2}

	whole := NewBinaryNet(2)
	accWhole, err := TrainBinary(context.Background(), whole, cfg, train, held, io.Discard)
	if err != nil {
		t.Fatal(err)
	}

	stopped := NewBinaryNet(2)
	ctx, cancel := context.WithCancel(context.Background())
	var log strings.Builder
	cfg.CkptPath = filepath.Join(t.TempDir(), "ckpt.safetensors")
	_, err = TrainBinary(ctx, stopped, cfg, train, held, cancelAfterEpoch{&log, cancel})
	if err == nil {
		t.Fatal("the cancelled run finished")
	}
	resumed := NewBinaryNet(2)
	var rlog strings.Builder
	accResumed, err := TrainBinary(context.Background(), resumed, cfg, train, held, &rlog)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rlog.String(), "resumed from") {
		t.Fatalf("did not resume: %s", rlog.String())
	}
	if accResumed != accWhole {
		t.Errorf("accuracy %v after resuming, %v uninterrupted", accResumed, accWhole)
	}
	for i, p := range whole.Params() {
		if !slices.Equal(p.W, resumed.Params()[i].W) {
			t.Fatalf("%s differs after resuming", p.Name)
		}
	}
	if !slices.Equal(whole.N4.RunMean, resumed.N4.RunMean) {
		t.Error("batch-norm statistics differ after resuming")
	}

	// a checkpoint of another method is refused
	cfg.LONDON, cfg.Teacher = 0.5, classifier.NewClassifier(1)
	if _, err := TrainBinary(context.Background(), NewBinaryNet(2), cfg, train, held, io.Discard); err == nil ||
		!strings.Contains(err.Error(), "method") {
		t.Errorf("a baseline checkpoint resumed a LONDON run: %v", err)
	}
}

// cancelAfterEpoch cancels the run when the first epoch's result is logged.
type cancelAfterEpoch struct {
	w      io.Writer
	cancel func()
}

func (c cancelAfterEpoch) Write(b []byte) (int, error) {
	if strings.HasPrefix(string(b), "epoch 1: train loss") {
		c.cancel()
	}
	return c.w.Write(b)
}
