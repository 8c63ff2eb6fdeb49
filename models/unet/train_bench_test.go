//go:build unix

package unet

import (
	"math/rand/v2"
	"syscall"
	"testing"

	"github.com/qdiff/qdiff/models/mnist"
)

// BenchmarkTrainer_TrainStep times one optimizer step of the default U-Net
// on a batch of 64 random images (for profiling the trainer:
// go test -run '^$' -bench TrainStep -cpuprofile cpu.prof ./models/unet).
func BenchmarkTrainer_TrainStep(b *testing.B) {
	data := &mnist.Dataset{N: 64, Rows: 28, Cols: 28, Pixels: make([]uint8, 64*784), Labels: make([]uint8, 64)}
	r := rand.New(rand.NewPCG(3, 3))
	for i := range data.Pixels {
		data.Pixels[i] = uint8(r.IntN(256))
	}
	for i := range data.Labels {
		data.Labels[i] = uint8(i % 10)
	}
	cfg := DefaultTrain
	cfg.CkptPath, cfg.Steps = "", 1000
	tr, err := NewTrainer(cfg, data)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tr.TrainStep(); err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for b.Loop() {
		if _, err := tr.TrainStep(); err != nil {
			b.Fatal(err)
		}
	}
	images := float64(cfg.Batch) * float64(b.N)
	b.ReportMetric(images/b.Elapsed().Seconds(), "images/s")
	// CPU time moves less than wall time on a shared machine.
	b.ReportMetric(1e3*(cpuSeconds()-cpu0)/images, "cpu-ms/image")
}

// cpuSeconds is the user+system CPU time of this process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
