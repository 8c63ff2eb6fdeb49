package kernels

import "sync"

// GemmF32Parallel is GemmF32 with the rows of C split between threads
// goroutines (threads <= 1 runs on the caller's goroutine). Each thread
// owns whole rows, so the result does not depend on scheduling.
func GemmF32Parallel(threads, m, n, k int, a, b, c []float32, acc bool) error {
	if err := checkGemmF32(m, n, k, a, b, c); err != nil {
		return err
	}
	if threads <= 1 || m < 8 {
		gemmF32Fast(m, n, k, a, b, c, acc)
		return nil
	}
	threads = min(threads, m/4)
	step := (m/threads + 3) &^ 3
	var wg sync.WaitGroup
	for i0 := 0; i0 < m; i0 += step {
		rows := min(step, m-i0)
		wg.Go(func() {
			gemmF32Fast(rows, n, k, a[i0*k:], b, c[i0*n:], acc)
		})
	}
	wg.Wait()
	return nil
}
