package bnet_test

import (
	"math"
	"strings"
	"testing"

	"github.com/qdiff/qdiff/models/bnet"
	"github.com/qdiff/qdiff/models/bnn"
	"github.com/qdiff/qdiff/models/st"
)

func randomNet(t testing.TB) *bnet.Net {
	t.Helper()
	n := bnn.NewBinaryNet(5)
	n.SetTrain(false)
	bk, err := n.Export()
	if err != nil {
		t.Fatal(err)
	}
	return bk
}

func TestNet_EncodeDecode(t *testing.T) {
	bk := randomNet(t)
	b, err := bk.Encode(map[string]string{"note": "x"})
	if err != nil {
		t.Fatal(err)
	}
	back, err := bnet.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	img := make([]uint8, 784)
	for i := range img {
		img[i] = uint8(i * 7)
	}
	a, _ := bk.Classify(img)
	c, err := back.Classify(img)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if a[i] != c[i] {
			t.Fatalf("logit %d: %v before encoding, %v after", i, a[i], c[i])
		}
	}
}

func TestDecode_BadInput(t *testing.T) {
	good, err := randomNet(t).Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	f, err := st.Decode(good)
	if err != nil {
		t.Fatal(err)
	}
	retag := func(model string) []byte {
		m := map[string]string{}
		for k, v := range f.Meta {
			m[k] = v
		}
		m["qdiff.model"] = model
		b, err := st.Encode(m, f.Tensors)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	reshape := func(name string, shape ...int) []byte {
		ts := append([]st.Tensor(nil), f.Tensors...)
		for i := range ts {
			if ts[i].Name == name {
				ts[i].Shape = shape
			}
		}
		b, err := st.Encode(f.Meta, ts)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"empty", nil, ""},
		{"[16,2] where [32] is expected", reshape("conv1.bias", 16, 2), "conv1.bias has shape [16 2], want [32]"},
		{"weights transposed", reshape("conv1.q8", 9, 32), "conv1.q8 has shape [9 32], want [32 9]"},
		{"truncated", good[:len(good)/2], ""},
		{"retired v1", retag("bnet-mnist-v1"), "retired"},
		{"other model", retag("unet"), "not a binary classifier"},
	}
	for _, c := range cases {
		if _, err := bnet.Decode(c.b); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

func TestNet_Predict(t *testing.T) {
	bk := randomNet(t)
	label, probs, err := bk.Predict(make([]uint8, 784))
	if err != nil {
		t.Fatal(err)
	}
	var s float64
	for i, p := range probs {
		s += p
		if p > probs[label] {
			t.Errorf("label %d but digit %d is more likely", label, i)
		}
	}
	if math.Abs(s-1) > 1e-9 {
		t.Errorf("probabilities sum to %v", s)
	}
	if _, _, err := bk.Predict(make([]uint8, 783)); err == nil {
		t.Error("783 pixels accepted")
	}
	if _, err := bk.ClassifyBatch(make([]uint8, 784*2+1)); err == nil {
		t.Error("a partial image accepted")
	}
	if lg, err := bk.ClassifyBatch(make([]uint8, 784*3)); err != nil || len(lg) != 30 {
		t.Errorf("batch of 3: %d logits, %v", len(lg), err)
	}
	if _, err := bnet.TimeClassify(bk, bnet.DenseImages(2), 0, 1); err == nil {
		t.Error("batch 0 accepted")
	}
	if _, err := bnet.TimeClassify(bk, bnet.DenseImages(2), 3, 1); err == nil {
		t.Error("batch larger than the images accepted")
	}
	if ns, err := bnet.TimeClassify(bk, bnet.DenseImages(4), 2, 1); err != nil || ns <= 0 {
		t.Errorf("TimeClassify: %d ns, %v", ns, err)
	}
}

func BenchmarkNet_Classify(b *testing.B) {
	bk := randomNet(b)
	img := make([]uint8, 784)
	for i := range img {
		img[i] = uint8(i * 13)
	}
	for b.Loop() {
		if _, err := bk.Classify(img); err != nil {
			b.Fatal(err)
		}
	}
}
