package bnn

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/qdiff/qdiff/models/mnist"
	"github.com/qdiff/qdiff/models/nn"

	"github.com/qdiff/qdiff/models/st"
)

// binaryCkpt is TrainBinary's per-epoch checkpoint: every trainable
// tensor (the network's and the method heads') with its Adam moments, the
// batch-norm running statistics, the epoch count and the RNG state.
type binaryCkpt struct {
	path   string
	net    *BinaryNet
	params []*nn.Param
	opt    *nn.AdamW
	pcg    *rand.PCG
	method string
}

func (c binaryCkpt) norms() []*BatchNorm { return []*BatchNorm{c.net.N1, c.net.N2, c.net.N3, c.net.N4} }

func (c binaryCkpt) save(epochs int) error {
	var ts []st.Tensor
	for i, p := range c.params {
		key := fmt.Sprintf("%d/%s", i, p.Name)
		ts = append(ts, st.F32Tensor("param/"+key, p.Shape, p.W))
		if p.M != nil {
			ts = append(ts, st.F32Tensor("adam_m/"+key, p.Shape, p.M), st.F32Tensor("adam_v/"+key, p.Shape, p.V))
		}
	}
	for i, b := range c.norms() {
		ts = append(ts, st.F32Tensor(fmt.Sprintf("bn%d/mean", i+1), []int{b.C}, b.RunMean),
			st.F32Tensor(fmt.Sprintf("bn%d/var", i+1), []int{b.C}, b.RunVar))
	}
	rs, err := c.pcg.MarshalBinary()
	if err != nil {
		return err
	}
	return st.WriteFile(c.path, map[string]string{
		"qdiff.kind": "binary-checkpoint", "qdiff.method": c.method, "qdiff.epochs_done": strconv.Itoa(epochs),
		"qdiff.adam_step": strconv.Itoa(c.opt.Step), "qdiff.rng": hex.EncodeToString(rs),
	}, ts)
}

// load restores the checkpoint and returns the epochs it completed.
func (c binaryCkpt) load() (int, error) {
	f, err := st.ReadFile(c.path)
	if err != nil {
		return 0, err
	}
	if f.Meta["qdiff.kind"] != "binary-checkpoint" {
		return 0, fmt.Errorf("%s is not a binary training checkpoint", c.path)
	}
	if m := f.Meta["qdiff.method"]; m != c.method {
		return 0, fmt.Errorf("%s was written by method %q, this run is %q", c.path, m, c.method)
	}
	for i, p := range c.params {
		key := fmt.Sprintf("%d/%s", i, p.Name)
		if err := nn.LoadInto(f, "param/"+key, p.W); err != nil {
			return 0, err
		}
		if _, ok := f.Get("adam_m/" + key); ok {
			p.M, p.V = make([]float32, len(p.W)), make([]float32, len(p.W))
			if err := nn.LoadInto(f, "adam_m/"+key, p.M); err != nil {
				return 0, err
			}
			if err := nn.LoadInto(f, "adam_v/"+key, p.V); err != nil {
				return 0, err
			}
		}
	}
	for i, b := range c.norms() {
		if err := nn.LoadInto(f, fmt.Sprintf("bn%d/mean", i+1), b.RunMean); err != nil {
			return 0, err
		}
		if err := nn.LoadInto(f, fmt.Sprintf("bn%d/var", i+1), b.RunVar); err != nil {
			return 0, err
		}
	}
	ep, err := strconv.Atoi(f.Meta["qdiff.epochs_done"])
	if err != nil || ep < 0 {
		return 0, fmt.Errorf("%s: bad qdiff.epochs_done %q", c.path, f.Meta["qdiff.epochs_done"])
	}
	if c.opt.Step, err = strconv.Atoi(f.Meta["qdiff.adam_step"]); err != nil {
		return 0, fmt.Errorf("%s: bad qdiff.adam_step: %w", c.path, err)
	}
	rs, err := hex.DecodeString(f.Meta["qdiff.rng"])
	if err != nil {
		return 0, fmt.Errorf("%s: bad qdiff.rng: %w", c.path, err)
	}
	if err := c.pcg.UnmarshalBinary(rs); err != nil {
		return 0, fmt.Errorf("%s: bad qdiff.rng: %w", c.path, err)
	}
	return ep, nil
}

// RecalibrateBN replaces the batch norms' running statistics by their
// plain average over the first batches*batch training images, with the
// weights as they are now. During training the running averages mix
// statistics of weights from earlier steps; binary weights flip signs,
// so those can sit far from the exported network's, and its thresholds
// with them.
func (n *BinaryNet) RecalibrateBN(d *mnist.Dataset, batches, batch int) error {
	norms := []*BatchNorm{n.N1, n.N2, n.N3, n.N4}
	saved := make([]float32, len(norms))
	for i, b := range norms {
		saved[i] = b.Momentum
		clear(b.RunMean)
		clear(b.RunVar)
	}
	defer func() {
		for i, b := range norms {
			b.Momentum = saved[i]
		}
	}()
	n.SetTrain(true)
	for k := 0; k < batches; k++ {
		idx := make([]int, 0, batch)
		for j := k * batch; j < (k+1)*batch && j < d.N; j++ {
			idx = append(idx, j)
		}
		if len(idx) == 0 {
			break
		}
		for _, b := range norms {
			b.Momentum = 1 / float32(k+1) // cumulative mean
		}
		if _, err := n.Forward(binaryInput(d, idx, nil)); err != nil {
			return err
		}
	}
	return nil
}
