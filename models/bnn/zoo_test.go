package bnn

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/qdiff/qdiff/models/mnist/mnisttest"
	"github.com/qdiff/qdiff/models/nn"

	"github.com/qdiff/qdiff/kernels/wazerotest"
	"github.com/qdiff/qdiff/models/bnet"
	"github.com/qdiff/qdiff/models/st"
)

// TestZoo_BinaryAccuracy checks the committed binary network: its MNIST
// test accuracy through the kernels, natively and as the wasip1 SIMD build
// under wazero, equals the accuracy its training measured (the file's
// test_accuracy metadata), image for image the same logits.
func TestZoo_BinaryAccuracy(t *testing.T) {
	if testing.Short() {
		t.Skip("classifies the 10,000 test digits twice")
	}
	const path = "../zoo/bnet.safetensors"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := st.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	want, err := strconv.ParseFloat(f.Meta["test_accuracy"], 64)
	if err != nil {
		t.Fatalf("test_accuracy metadata %q: %v", f.Meta["test_accuracy"], err)
	}
	bk, err := bnet.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	test := mnisttest.Test(t)
	native, err := BinaryAccuracy(bk, test)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(native-want) > 0.5e-4 { // the metadata has 4 decimals
		t.Errorf("native kernels: accuracy %.4f, training measured %.4f", native, want)
	}
	mod := wazerotest.BuildForTest(t, "github.com/qdiff/qdiff/models/engine/guest", t.TempDir())
	var logits bytes.Buffer
	if err := mod.Run(context.Background(), wazerotest.Config{Args: []string{"classify", wazerotest.Abs(path)}, Stdin: bytes.NewReader(test.Pixels), Stdout: &logits}); err != nil {
		t.Fatal(err)
	}
	if logits.Len() != 40*test.N {
		t.Fatalf("guest wrote %d bytes for %d images", logits.Len(), test.N)
	}
	right := 0
	lg := make([]float32, 10)
	for i := 0; i < test.N; i++ {
		for j := range lg {
			lg[j] = math.Float32frombits(binary.LittleEndian.Uint32(logits.Bytes()[40*i+4*j:]))
		}
		if nn.Argmax(lg) == int(test.Labels[i]) {
			right++
		}
	}
	if wz := float64(right) / float64(test.N); wz != native {
		t.Errorf("wazero SIMD: accuracy %.4f, native %.4f", wz, native)
	}
	t.Logf("%s (%s): %.2f%% natively and under wazero; training measured %.2f%%", path, f.Meta["method"], 100*native, 100*want)
}
