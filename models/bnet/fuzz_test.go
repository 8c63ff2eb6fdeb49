package bnet_test

import (
	"testing"

	"github.com/qdiff/qdiff/models/bnet"
	"github.com/qdiff/qdiff/models/st"
)

// FuzzDecode: whatever the bytes, Decode returns a net or a bounded error,
// and a net it returns classifies an image without a panic. Each input is
// tried as is and with its hash recomputed (st.Rehash), so mutations reach
// bnet's checks. testdata/fuzz keeps the corpus.
func FuzzDecode(f *testing.F) {
	seed, err := randomNet(f).Encode(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	img := make([]uint8, 784)
	for i := range img {
		img[i] = uint8(i * 13)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		try := func(b []byte) {
			net, err := bnet.Decode(b)
			if err != nil {
				if len(err.Error()) > 1024 {
					t.Fatalf("%d-byte error message", len(err.Error()))
				}
				return
			}
			if _, err := net.Classify(img); err != nil {
				t.Logf("classify: %v", err)
			}
		}
		try(b)
		if rb, err := st.Rehash(b); err == nil {
			try(rb)
		}
	})
}
