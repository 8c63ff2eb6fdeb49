package bnn

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"

	"github.com/qdiff/qdiff/models/mnist/mnisttest"
	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/nn/nntest"

	"io"
	"math/rand/v2"
	"testing"

	"github.com/qdiff/qdiff/kernels"
	"github.com/qdiff/qdiff/kernels/wazerotest"
	"github.com/qdiff/qdiff/models/bnet"
)

func TestBatchNorm_Backward(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	b := NewBatchNorm("bn", 3)
	for i := range b.Gamma.W {
		b.Gamma.W[i] = float32(1 + 0.3*rng.NormFloat64())
		b.Beta.W[i] = float32(rng.NormFloat64())
	}
	x := nntest.RandT(rng, 4, 3, 3, 3)
	nntest.CheckGrads(t, "batchnorm", rng, x, b.Params(), func() *nn.T { return b.Forward(x) }, b.Backward)
}

// TestIntThreshold checks the folded threshold against the float batch
// norm sign for every reachable dot product.
func TestIntThreshold(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 12))
	b := NewBatchNorm("bn", 40)
	for c := 0; c < 40; c++ {
		b.Gamma.W[c] = float32(rng.NormFloat64())
		b.Beta.W[c] = float32(rng.NormFloat64())
		b.RunMean[c] = float32(30 * rng.NormFloat64())
		b.RunVar[c] = float32(1 + 400*rng.Float64())
	}
	b.Gamma.W[0], b.Gamma.W[1] = 0, 0
	b.Beta.W[1] = -1
	const k = 288
	for c := 0; c < 40; c++ {
		thr, flip := intThreshold(b, c, k)
		th := struct {
			t    int32
			flip bool
		}{thr, flip}
		pos := bnSign(b, c)
		for d := -k; d <= k; d++ {
			got := int32(d) >= th.t
			if th.flip {
				got = int32(d) <= th.t
			}
			if got != pos(float32(d)) {
				t.Fatalf("channel %d dot %d: threshold %d flip %v says %v, batch norm %v", c, d, thr, flip, got, pos(float32(d)))
			}
		}
	}
}

// TestBinaryNet_Export trains briefly on a few digits, exports to the
// kernels and checks that the kernel path agrees with the float forward
// on nearly every test image (they differ only by the int8 quantization
// of the first and last layers).
func TestBinaryNet_Export(t *testing.T) {
	if testing.Short() {
		t.Skip("trains for a few seconds")
	}
	test := mnisttest.Test(t)
	train, held := test.Slice(0, 1024), test.Slice(2000, 300)
	n := NewBinaryNet(1)
	acc, err := TrainBinary(context.Background(), n, BinaryTrain{Epochs: 2, Batch: 64, LR: 3e-3, Seed: 1}, train, held, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	facc, fpreds, err := n.FloatAccuracy(held)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := n.Export()
	if err != nil {
		t.Fatal(err)
	}
	// the binary layers are exact: from the float net's own layer-1 signs
	// they give the very signs of its layer 4
	x := binaryInput(held, []int{0, 1, 2, 3, 4, 5, 6, 7}, nil)
	if _, err := n.Forward(x); err != nil {
		t.Fatal(err)
	}
	in, out := n.S1.x, n.S4.x // pre-sign values of layers 1 and 4, NCHW
	for b := 0; b < x.B; b++ {
		bits := make([]uint64, 784)
		for c := 0; c < 32; c++ {
			for p := 0; p < 784; p++ {
				if in.Img(b)[c*784+p] < 0 {
					bits[p] |= 1 << c
				}
			}
		}
		got, err := bk.BinaryLayers(bits)
		if err != nil {
			t.Fatal(err)
		}
		for c := 0; c < 128; c++ {
			for p := 0; p < 49; p++ {
				want := int32(1)
				if out.Img(b)[c*49+p] < 0 {
					want = -1
				}
				if g := kernels.B1Sign(got[p*2:], c); g != want {
					t.Fatalf("image %d: layer-4 sign at channel %d pixel %d: kernels %d, float %d", b, c, p, g, want)
				}
			}
		}
	}
	agree := 0
	for i := 0; i < held.N; i++ {
		lg, err := bk.Classify(held.Image(i))
		if err != nil {
			t.Fatal(err)
		}
		if nn.Argmax(lg) == fpreds[i] {
			agree++
		}
	}
	t.Logf("after 2 short epochs: kernel accuracy %.1f%%, float %.1f%%, predictions agree on %d/%d", 100*acc, 100*facc, agree, held.N)
	if acc < 0.5 {
		t.Errorf("kernel accuracy %.2f: the network did not learn", acc)
	}
	if agree < held.N*90/100 {
		t.Errorf("kernel and float predictions agree on %d/%d only", agree, held.N)
	}
	if _, err := bk.Classify(make([]uint8, 10)); err == nil {
		t.Error("short image accepted")
	}

	// the weights file round-trips, and the wasip1 SIMD build under wazero
	// gives bit-identical logits on every held-out image
	b, err := bk.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := bnet.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	path := filepath.Join(tmp, "bnet.safetensors")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	mod := wazerotest.BuildForTest(t, "github.com/qdiff/qdiff/models/engine/guest", tmp)
	var logits bytes.Buffer
	if err := mod.Run(context.Background(), wazerotest.Config{Args: []string{"classify", path}, Stdin: bytes.NewReader(held.Pixels), Stdout: &logits}); err != nil {
		t.Fatal(err)
	}
	if logits.Len() != 40*held.N {
		t.Fatalf("guest wrote %d bytes for %d images", logits.Len(), held.N)
	}
	right := 0
	for i := 0; i < held.N; i++ {
		want, err := back.Classify(held.Image(i))
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range want {
			if g := math.Float32frombits(binary.LittleEndian.Uint32(logits.Bytes()[40*i+4*j:])); g != v {
				t.Fatalf("image %d logit %d: wazero %v, native %v", i, j, g, v)
			}
		}
		if nn.Argmax(want) == int(held.Labels[i]) {
			right++
		}
	}
	if got := float64(right) / float64(held.N); got != acc {
		t.Errorf("decoded net: accuracy %v, training reported %v", got, acc)
	}
}
