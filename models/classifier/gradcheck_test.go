package classifier

import (
	"math/rand/v2"
	"testing"

	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/nn/nntest"
)

func TestClassifier_Backward(t *testing.T) {
	c := NewClassifier(1)
	rng := rand.New(rand.NewPCG(9, 9))
	x := nntest.RandT(rng, 2, 1, 28, 28)
	nntest.CheckGrads(t, "classifier", rng, x, c.Params(), func() *nn.T {
		y, err := c.Forward(x)
		if err != nil {
			t.Fatal(err)
		}
		return y
	}, func(dy *nn.T) *nn.T { c.Backward(dy); return nil })
}
