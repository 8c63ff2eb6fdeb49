package engine

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/qdiff/qdiff/models/st"
)

// zooFile re-encodes a committed engine file after edit changes its
// metadata or tensors (the re-encoded file carries a fresh, valid hash, so
// only the edit can make Decode refuse it).
func zooFile(t *testing.T, name string, edit func(f *st.File)) []byte {
	t.Helper()
	b, err := os.ReadFile("../zoo/" + name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := st.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	edit(f)
	out, err := st.Encode(f.Meta, f.Tensors)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func setConfig(cfg string) func(f *st.File) {
	return func(f *st.File) { f.Meta["qdiff.engine_config"] = cfg }
}

func reshape(name string, shape ...int) func(f *st.File) {
	return func(f *st.File) {
		for i := range f.Tensors {
			if f.Tensors[i].Name == name {
				f.Tensors[i].Shape = shape
			}
		}
	}
}

func setF32(name string, v ...float32) func(f *st.File) {
	return func(f *st.File) {
		for i := range f.Tensors {
			if f.Tensors[i].Name == name {
				f.Tensors[i] = st.F32Tensor(name, f.Tensors[i].Shape, v)
			}
		}
	}
}

// TestDecode_Crafted: crafted engine files get an error naming the
// problem, never a panic or an out-of-memory crash.
func TestDecode_Crafted(t *testing.T) {
	const cfg = `{"Size":28,"EmbDim":256,"TimeDim":64,"Classes":%s,"Groups":8,"Ch":[%s,64,128]}`
	conf := func(classes, ch0 string) string {
		return strings.Replace(strings.Replace(cfg, "%s", classes, 1), "%s", ch0, 1)
	}
	w8 := "unet.w8a8.safetensors"
	for _, c := range []struct {
		name, file string
		edit       func(f *st.File)
		want       string
	}{
		{"as committed w8a8", w8, func(*st.File) {}, ""},
		{"as committed w4a8", "unet.w4a8.safetensors", func(*st.File) {}, ""},
		{"as committed fp32", "unet.engine-fp32.safetensors", func(*st.File) {}, ""},
		{"Classes 2^52", w8, setConfig(conf("4503599627370496", "32")), "Classes 4503599627370496 outside"},
		{"Ch[0] 2^40", w8, setConfig(conf("10", "1099511627776")), "Ch [1099511627776 64 128] outside"},
		{"Classes 2^30, EmbDim 16384", w8, setConfig(strings.Replace(conf("1073741824", "32"), `"EmbDim":256`, `"EmbDim":16384`, 1)), "outside"},
		{"Classes within limits, class table absent at that shape", w8, setConfig(conf("1000", "32")), "class has shape [11 256], want [1001 256]"},
		{"[16,2] where [32] is expected", w8, reshape("in.b", 16, 2), "in.b has shape [16 2], want [32]"},
		{"weights transposed", w8, reshape("out.q8", 288, 1), "out.q8 has shape [288 1], want [1 288]"},
		{"zero attention scale", w8, setF32("mid.attn.qparams", 0.1, 0, 0.1, 0.1), "mid.attn.qparams[1] = 0"},
		{"NaN attention scale", w8, setF32("mid.attn.qparams", 0.1, 0.1, 0.1, float32(math.NaN())), "NaN"},
		{"fractional zero point", w8, setF32("in.act", 0.01, 3.5), "bad quantizer"},
		{"a layer with 8- and 4-bit weights", w8, func(f *st.File) {
			f.Tensors = append(f.Tensors, st.Tensor{Name: "in.q4", DType: "U8", Shape: []int{32, 16}, Data: make([]byte, 32*16)})
		}, "in has both in.q4 and in.q8"},
	} {
		_, err := Decode(zooFile(t, c.file, c.edit))
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// TestDecode_NoHash: a file whose hash was removed is refused.
func TestDecode_NoHash(t *testing.T) {
	b, err := os.ReadFile("../zoo/unet.w8a8.safetensors")
	if err != nil {
		t.Fatal(err)
	}
	head := string(b[:min(len(b), 1<<16)])
	n := 0
	for _, key := range []string{`"` + st.SHA256 + `"`, `"` + st.DataSHA256 + `"`} {
		if i := strings.Index(head, key); i >= 0 {
			b[i+len(`"qdiff.`)] = 'X' // the key renamed, the header length unchanged
			n++
		}
	}
	if n == 0 {
		t.Fatal("committed file has no hash")
	}
	if _, err := Decode(b); err == nil || !strings.Contains(err.Error(), "no qdiff.sha256") {
		t.Errorf("error %v", err)
	}
}
