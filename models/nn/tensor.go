package nn

import (
	"fmt"
	"runtime"
	"sync"
)

// T is a float32 activation batch in NCHW layout.
type T struct {
	B, C, H, W int
	D          []float32
}

// NewT returns a zeroed batch of shape [b, c, h, w].
func NewT(b, c, h, w int) *T {
	return &T{B: b, C: c, H: h, W: w, D: make([]float32, b*c*h*w)}
}

// Img returns the slice of image i (C*H*W values).
func (t *T) Img(i int) []float32 {
	n := t.C * t.H * t.W
	return t.D[i*n : (i+1)*n]
}

// Shape reports the shape as a string for errors and logs.
func (t *T) Shape() string { return fmt.Sprintf("[%d %d %d %d]", t.B, t.C, t.H, t.W) }

// SameShape reports whether t and u have equal dimensions.
func (t *T) SameShape(u *T) bool { return t.B == u.B && t.C == u.C && t.H == u.H && t.W == u.W }

// Workers is the number of goroutines that layers split a batch over.
var Workers = runtime.GOMAXPROCS(0)

// parallel calls f(w, i0, i1) for Workers contiguous ranges of [0, n),
// w being the worker index, and waits for all.
func Parallel(n int, f func(w, i0, i1 int)) {
	nw := min(Workers, n)
	if nw <= 1 {
		f(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range nw {
		i0, i1 := w*n/nw, (w+1)*n/nw
		wg.Go(func() { f(w, i0, i1) })
	}
	wg.Wait()
}

// perWorker returns nw zeroed gradient buffers of size n, reusing bufs.
func perWorker(bufs [][]float32, n int) [][]float32 {
	nw := max(Workers, 1)
	if len(bufs) != nw {
		bufs = make([][]float32, nw)
	}
	for i := range bufs {
		if len(bufs[i]) != n {
			bufs[i] = make([]float32, n)
		} else {
			clear(bufs[i])
		}
	}
	return bufs
}

// sumInto adds every buffer of bufs into g, in worker order.
func sumInto(g []float32, bufs [][]float32) {
	for _, b := range bufs {
		for i, v := range b {
			g[i] += v
		}
	}
}

// InBatches calls f with consecutive index batches of at most size covering [0, n).
func InBatches(n, size int, f func(idx []int) error) error {
	for i0 := 0; i0 < n; i0 += size {
		idx := make([]int, 0, size)
		for j := i0; j < min(i0+size, n); j++ {
			idx = append(idx, j)
		}
		if err := f(idx); err != nil {
			return err
		}
	}
	return nil
}
