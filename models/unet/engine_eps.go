package unet

import (
	"fmt"
	"sync"

	"github.com/qdiff/qdiff/models/nn"

	"github.com/qdiff/qdiff/models/engine"
)

// EngineEps adapts the single-image inference engine to EpsModel, so that
// the samplers and metrics run on FP32, W8A8 or W4A8 engine nets. A batch
// is split over Workers clones of the net.
type EngineEps struct {
	nets []*engine.Net
}

// NewEngineEps wraps n with one clone per worker.
func NewEngineEps(n *engine.Net) *EngineEps {
	e := &EngineEps{}
	for range max(nn.Workers, 1) {
		e.nets = append(e.nets, n.Clone())
	}
	return e
}

// Forward predicts the noise of each image of x [B,1,S,S].
func (e *EngineEps) Forward(x *nn.T, ts []float64, labels []int) (*nn.T, error) {
	if len(ts) != x.B || len(labels) != x.B || x.C != 1 {
		return nil, fmt.Errorf("engine eps: input %s with %d times and %d labels", x.Shape(), len(ts), len(labels))
	}
	out := nn.NewT(x.B, x.C, x.H, x.W)
	errs := make([]error, len(e.nets))
	var wg sync.WaitGroup
	for w, n := range e.nets {
		wg.Go(func() {
			for i := w; i < x.B; i += len(e.nets) {
				y, err := n.Forward(x.Img(i), ts[i], labels[i])
				if err != nil {
					errs[w] = err
					return
				}
				copy(out.Img(i), y)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
