package bnet

import (
	"fmt"
	"time"
)

// ClassifyBatch returns the logits [n, 10] of n images given as n*784 grey
// bytes, one image after another through the kernels.
func (bk *Net) ClassifyBatch(pixels []uint8) ([]float32, error) {
	if len(pixels) == 0 || len(pixels)%784 != 0 {
		return nil, fmt.Errorf("bnet: %d bytes is not a whole number of 28x28 images", len(pixels))
	}
	n := len(pixels) / 784
	out := make([]float32, 0, 10*n)
	for i := 0; i < n; i++ {
		lg, err := bk.Classify(pixels[i*784 : (i+1)*784])
		if err != nil {
			return nil, err
		}
		out = append(out, lg...)
	}
	return out, nil
}

// DenseImages returns n synthetic 28x28 images with ink scattered over
// about one pixel in eight: no flat background, the classifier's slowest
// kind of input (digits are mostly background).
func DenseImages(n int) []uint8 {
	px := make([]uint8, n*784)
	s := uint32(1)
	for i := range px {
		s = s*1664525 + 1013904223
		if s>>29 == 0 {
			px[i] = uint8(128 + s>>25)
		}
	}
	return px
}

// TimeClassify classifies the images imgs (a whole number of 28x28 images,
// at least batch of them) in batches of batch, reps times over, and
// returns the mean nanoseconds per image (for benchmarks natively and
// under wazero, where testing.B is not available).
func TimeClassify(bk *Net, imgs []uint8, batch, reps int) (int64, error) {
	if batch < 1 || reps < 1 {
		return 0, fmt.Errorf("bnet: batch %d and reps %d must be positive", batch, reps)
	}
	if len(imgs)%784 != 0 || len(imgs)/784 < batch {
		return 0, fmt.Errorf("bnet: %d bytes is not a whole number of at least %d images", len(imgs), batch)
	}
	nb := len(imgs) / 784 / batch
	if _, err := bk.ClassifyBatch(imgs[:batch*784]); err != nil { // warm up
		return 0, err
	}
	t0 := time.Now()
	for range reps {
		for b := range nb {
			if _, err := bk.ClassifyBatch(imgs[b*batch*784 : (b+1)*batch*784]); err != nil {
				return 0, err
			}
		}
	}
	return time.Since(t0).Nanoseconds() / int64(nb*batch*reps), nil
}
