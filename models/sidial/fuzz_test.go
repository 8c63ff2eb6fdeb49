package sidial

import (
	"testing"

	"github.com/qdiff/qdiff/models/st"
)

// FuzzDecode: whatever the bytes, Decode returns a model or a bounded
// error, and a model it returns picks a question and a posterior without a
// panic. Each input is tried as is and with its hash recomputed
// (st.Rehash). testdata/fuzz keeps the corpus.
func FuzzDecode(f *testing.F) {
	seed, err := twoQuestionModel().Encode(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	probs := []float64{0.5, 0.1, 0.1, 0.1, 0.1, 0.02, 0.02, 0.02, 0.02, 0.02}
	f.Fuzz(func(t *testing.T, b []byte) {
		try := func(b []byte) {
			m, err := Decode(b)
			if err != nil {
				if len(err.Error()) > 1024 {
					t.Fatalf("%d-byte error message", len(err.Error()))
				}
				return
			}
			answers := make([]int8, len(Questions))
			answers[0] = 1
			if _, err := m.Next(probs, 0.3, answers); err != nil {
				t.Logf("next: %v", err)
			}
			if _, err := m.Posterior(probs, 0.3, answers); err != nil {
				t.Logf("posterior: %v", err)
			}
		}
		try(b)
		if rb, err := st.Rehash(b); err == nil {
			try(rb)
		}
	})
}
