package prune

import (
	"fmt"
	"strconv"

	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"
	"github.com/qdiff/qdiff/models/unet"
)

// PrunedTrainer is a U-Net trainer whose Mask of pruned weights holds
// through every step.
type PrunedTrainer struct {
	*unet.Trainer
	Mask PruneMask
}

// NewPrunedTrainer starts (or resumes from cfg.CkptPath) the retraining
// of the FP U-Net in file fp magnitude-pruned to sparsity: the student
// starts from fp's weights with the smallest-magnitude fraction of every
// conv and linear weight set to zero, its average (EMA) from the pruned
// weights, and the mask holds through every step. With kdWeight > 0 the
// unpruned net is the teacher of a frequency-domain distillation of the
// predicted noise (plain fine-tuning otherwise). On resume the mask is
// the checkpoint's zero weights.
func NewPrunedTrainer(cfg unet.TrainConfig, data *mnist.Dataset, fp string, sparsity, kdWeight float64) (*PrunedTrainer, error) {
	teacher, _, err := unet.LoadUNet(fp)
	if err != nil {
		return nil, err
	}
	if teacher.Cfg != unet.DefaultUNet {
		return nil, fmt.Errorf("prune: %s has config %+v, the trainer builds %+v", fp, teacher.Cfg, unet.DefaultUNet)
	}
	ut, err := unet.NewTrainer(cfg, data)
	if err != nil {
		return nil, err
	}
	tr := &PrunedTrainer{Trainer: ut}
	ps := tr.Net.Params()
	if tr.Step > 0 {
		tr.Mask = PruneMask{}
		for _, p := range ps {
			if p.Decay {
				keep := make([]bool, len(p.W))
				for i, v := range p.W {
					keep[i] = v != 0
				}
				tr.Mask[p] = keep
			}
		}
	} else {
		for i, p := range teacher.Params() {
			copy(ps[i].W, p.W)
		}
		if tr.Mask, err = MagnitudePrune(ps, sparsity); err != nil {
			return nil, err
		}
		tr.EMA = nn.NewEMA(ps, cfg.EMADecay)
	}
	tr.AfterUpdate = tr.Mask.Apply
	if kdWeight > 0 {
		tr.Teacher = teacher
		tr.Distill = func(out, tout, d *nn.T, frac float64) float64 {
			return freqKD(out, tout, d, frac*float64(out.H/2), kdWeight)
		}
	}
	return tr, nil
}

// ExportPrunedUNet writes the EMA weights of a pruned retraining
// checkpoint as a zoo model, recording how it was made.
func ExportPrunedUNet(ckpt, out string, sparsity, freqKD float64) error {
	u, f, err := unet.LoadUNet(ckpt)
	if err != nil {
		return err
	}
	how := "plain fine-tuning"
	if freqKD > 0 {
		how = "frequency-domain distillation from the unpruned net, weight " + strconv.FormatFloat(freqKD, 'g', -1, 64)
	}
	return unet.SaveUNet(u, f, out, "ema", map[string]string{
		"qdiff.pruned": fmt.Sprintf("magnitude, layer by layer, sparsity %g, retrained %s steps with %s", sparsity, f.Meta["qdiff.step"], how)})
}

// PruneUNet writes the zoo model in with the smallest-magnitude fraction
// sparsity of every conv and linear weight set to zero (no retraining) and
// returns the surviving and total weights of the pruned tensors.
func PruneUNet(in, out string, sparsity float64) (int, int, error) {
	u, f, err := unet.LoadUNet(in)
	if err != nil {
		return 0, 0, err
	}
	m, err := MagnitudePrune(u.Params(), sparsity)
	if err != nil {
		return 0, 0, err
	}
	nz, total := m.NonZero()
	return nz, total, unet.SaveUNet(u, f, out, f.Meta["qdiff.weights_kind"], map[string]string{
		"qdiff.pruned": fmt.Sprintf("magnitude, layer by layer, sparsity %g, no retraining", sparsity)})
}
