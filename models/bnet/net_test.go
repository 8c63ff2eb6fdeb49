package bnet_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/qdiff/qdiff/kernels"
	"github.com/qdiff/qdiff/models/bnet"
)

// classifyRef is the definition of the network's result: the first layer
// as an 8-bit convolution with the float epilogue and float thresholds,
// the binary layers as int32 dot products (ConvB1, im2col) then each
// channel's threshold, the last layer through the 4-bit GEMM. Net.Classify
// runs integer thresholds, prepared direct binary convolutions and a
// sign-by-int8 product instead.
func classifyRef(bk *bnet.Net, pixels []uint8) ([]float32, error) {
	q := make([]int8, 784)
	for i, p := range pixels {
		q[i] = int8(int(p) - 128)
	}
	s1 := kernels.ConvShape{H: 28, W: 28, Cin: 1, Cout: 32, KSize: 3, Stride: 1}
	y := make([]float32, 784*32)
	if err := kernels.ConvI8(s1, q, bk.W1, &kernels.Epilogue{AScale: 1.0 / 255, AZero: -128, Bias: bk.Bias1}, nil, nil, y, nil); err != nil {
		return nil, err
	}
	bits := make([]uint64, 784)
	for p := range 784 {
		for c := range 32 {
			v := y[p*32+c]
			pos := v >= bk.Thr1[c]
			if bk.Flip1[c] {
				pos = v <= bk.Thr1[c]
			}
			if !pos {
				bits[p] |= 1 << c
			}
		}
	}
	for l, s := range bk.Shapes { // int32 dot products through im2col, then the thresholds
		dots := make([]int32, s.M()*s.Cout)
		if err := kernels.ConvB1(s, bits, bk.B[l], dots); err != nil {
			return nil, err
		}
		ow := kernels.B1Words(s.Cout)
		out := make([]uint64, s.M()*ow)
		for p := range s.M() {
			for n := range s.Cout {
				if !bk.Th[l].Sign(n, dots[p*s.Cout+n]) {
					out[p*ow+n/64] |= 1 << (n % 64)
				}
			}
		}
		bits = out
	}
	a := make([]int8, 6272)
	for p := range 49 {
		for c := range 128 {
			a[p*128+c] = int8(kernels.B1Sign(bits[p*2:], c))
		}
	}
	logits := make([]float32, 10)
	err := kernels.GemmW4(1, a, bk.W5, &kernels.Epilogue{AScale: 1, Bias: bk.Bias5}, nil, logits, nil)
	return logits, err
}

// strokes draws a random digit-like image: a few thick random walks.
func strokes(r *rand.Rand) []uint8 {
	img := make([]uint8, 784)
	for range 1 + r.IntN(3) {
		y, x := 6+r.IntN(16), 6+r.IntN(16)
		for range 30 {
			y, x = min(max(y+r.IntN(3)-1, 1), 26), min(max(x+r.IntN(3)-1, 1), 26)
			for _, d := range [][2]int{{0, 0}, {0, 1}, {1, 0}, {1, 1}} {
				img[(y+d[0])*28+x+d[1]] = uint8(128 + r.IntN(128))
			}
		}
	}
	return img
}

// zooNet loads the shipped network.
func zooNet(tb testing.TB) *bnet.Net {
	tb.Helper()
	b, err := os.ReadFile("../zoo/bnet.safetensors")
	if err != nil {
		tb.Fatal(err)
	}
	bk, err := bnet.Decode(b)
	if err != nil {
		tb.Fatal(err)
	}
	return bk
}

func TestNet_ClassifyMatchesReference(t *testing.T) {
	zoo := zooNet(t)
	r := rand.New(rand.NewPCG(3, 4))
	odd := randomNet(t) // flipped channels and thresholds everywhere in range
	for c := range 32 {
		odd.Flip1[c] = c%3 == 0
		odd.Thr1[c] = float32(r.NormFloat64())
		odd.Bias1[c] = float32(r.NormFloat64() * 0.5)
	}
	odd.Thr1[5], odd.Thr1[6] = 1e30, -1e30 // never and always
	for name, bk := range map[string]*bnet.Net{"zoo": zoo, "odd": odd} {
		imgs := [][]uint8{make([]uint8, 784)}
		full := make([]uint8, 784)
		for i := range full {
			full[i] = 255
		}
		imgs = append(imgs, full)
		for range 300 {
			imgs = append(imgs, strokes(r))
		}
		for i, img := range imgs {
			want, err := classifyRef(bk, img)
			if err != nil {
				t.Fatal(err)
			}
			got, err := bk.Classify(img)
			if err != nil {
				t.Fatal(err)
			}
			for j := range want {
				if got[j] != want[j] {
					t.Fatalf("%s image %d: logit %d = %v, reference %v", name, i, j, got[j], want[j])
				}
			}
		}
	}
}

// BenchmarkNet_Stages times each stage of the zoo network, cycling over
// digit-like images (or the digits in $BNET_DIGITS, raw 28x28 bytes) with
// each stage's inputs computed beforehand, natively and under wazero (make
// test-wasm's runner).
func BenchmarkNet_Stages(b *testing.B) {
	bk := zooNet(b)
	r := rand.New(rand.NewPCG(1, 2))
	var imgs [][]uint8
	for range 64 {
		imgs = append(imgs, strokes(r))
	}
	if f := os.Getenv("BNET_DIGITS"); f != "" {
		d, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		imgs = imgs[:0]
		for i := 0; i+784 <= len(d); i += 784 {
			imgs = append(imgs, d[i:i+784])
		}
	}
	w1s, thr1 := bnet.FirstLayer(bk)
	first := kernels.ConvShape{H: 28, W: 28, Cin: 1, Cout: 32, KSize: 3, Stride: 1}
	acts := make([][][]uint64, 4) // [stage input][image]
	for _, img := range imgs {
		bits := make([]uint64, 784)
		if err := kernels.ConvU8Sign(first, img, w1s, thr1, bits); err != nil {
			b.Fatal(err)
		}
		acts[0] = append(acts[0], bits)
	}
	var plans [3]*kernels.ConvB1SignPlan
	for l, s := range bk.Shapes {
		p, err := kernels.NewConvB1SignPlan(s, bk.B[l], bk.Th[l])
		if err != nil {
			b.Fatal(err)
		}
		plans[l] = p
		ho, wo := s.Out()
		for _, x := range acts[l] {
			out := make([]uint64, ho*wo*kernels.B1Words(s.Cout))
			if err := p.Run(x, out); err != nil {
				b.Fatal(err)
			}
			acts[l+1] = append(acts[l+1], out)
		}
	}
	b.Run("first", func(b *testing.B) {
		out, i := make([]uint64, 784), 0
		for b.Loop() {
			if err := kernels.ConvU8Sign(first, imgs[i%len(imgs)], w1s, thr1, out); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	for l := range plans {
		b.Run(fmt.Sprintf("binary%d", l+1), func(b *testing.B) {
			out, i := make([]uint64, len(acts[l+1][0])), 0
			for b.Loop() {
				if err := plans[l].Run(acts[l][i%len(imgs)], out); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
	b.Run("last", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := bk.Last(acts[3][i%len(imgs)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("all", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := bk.Classify(imgs[i%len(imgs)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}
