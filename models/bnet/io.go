package bnet

import (
	"encoding/binary"
	"fmt"

	"github.com/qdiff/qdiff/kernels"
	"github.com/qdiff/qdiff/models/st"
)

// Model is the value of qdiff.model in a binary classifier's weights file.
const Model = "bnet-mnist-v2"

// shapes are the three binary convolutions of the architecture.
var shapes = [3]kernels.ConvShape{{H: 28, W: 28, Cin: 32, Cout: 64, KSize: 3, Stride: 2},
	{H: 14, W: 14, Cin: 64, Cout: 64, KSize: 3, Stride: 1}, {H: 14, W: 14, Cin: 64, Cout: 128, KSize: 3, Stride: 2}}

// Shapes returns the geometry of the three binary convolutions.
func Shapes() [3]kernels.ConvShape { return shapes }

func f32(name string, v []float32) st.Tensor { return st.F32Tensor(name, []int{len(v)}, v) }

func boolBytes(v []bool) []byte {
	b := make([]byte, len(v))
	for i, x := range v {
		if x {
			b[i] = 1
		}
	}
	return b
}

// Encode writes the net as safetensors bytes (see models/FORMAT.md).
func (bk *Net) Encode(meta map[string]string) ([]byte, error) {
	m := map[string]string{"qdiff.kind": "model", "qdiff.model": Model}
	for k, v := range meta {
		m[k] = v
	}
	i8 := func(name string, q *kernels.Q8Matrix) st.Tensor {
		b := make([]byte, len(q.Data))
		for i, v := range q.Data {
			b[i] = byte(v)
		}
		return st.Tensor{Name: name, DType: "I8", Shape: []int{q.N, q.K}, Data: b}
	}
	ts := []st.Tensor{i8("conv1.q8", bk.W1), f32("conv1.wscale", bk.W1.Scale), f32("conv1.bias", bk.Bias1),
		f32("conv1.thr", bk.Thr1), {Name: "conv1.flip", DType: "U8", Shape: []int{len(bk.Flip1)}, Data: boolBytes(bk.Flip1)}}
	for l := range 3 {
		b := bk.B[l]
		words := make([]byte, 8*len(b.Data))
		for i, w := range b.Data {
			binary.LittleEndian.PutUint64(words[8*i:], w)
		}
		thr := make([]byte, 4*b.N)
		for i, v := range bk.Th[l].Thr {
			binary.LittleEndian.PutUint32(thr[4*i:], uint32(v))
		}
		p := fmt.Sprintf("bconv%d.", l+2)
		ts = append(ts, st.Tensor{Name: p + "bits", DType: "U8", Shape: []int{b.N, 8 * b.Words}, Data: words},
			st.Tensor{Name: p + "thr", DType: "I32", Shape: []int{b.N}, Data: thr},
			st.Tensor{Name: p + "flip", DType: "U8", Shape: []int{b.N}, Data: boolBytes(bk.Th[l].Flip)})
	}
	ts = append(ts, st.Tensor{Name: "fc.q4", DType: "U8", Shape: []int{bk.W5.N, bk.W5.KP() / 2}, Data: bk.W5.Data},
		f32("fc.wscale", bk.W5.Scale), f32("fc.bias", bk.Bias5))
	return st.Encode(m, ts)
}

// Decode reads a net written by Encode, checking every shape.
func Decode(b []byte) (*Net, error) {
	f, err := st.Decode(b)
	if err != nil {
		return nil, err
	}
	switch f.Meta["qdiff.model"] {
	case Model:
	case "bnet-mnist-v1":
		return nil, fmt.Errorf("bnet: bnet-mnist-v1 (8-bit last layer) is retired; re-export with this version (models/FORMAT.md)")
	default:
		return nil, fmt.Errorf("bnet: not a binary classifier (qdiff.model = %q)", st.Clip(f.Meta["qdiff.model"]))
	}
	get := func(name, dtype string, shape ...int) ([]byte, error) {
		t, err := f.Want(name, shape, dtype)
		if err != nil {
			return nil, fmt.Errorf("bnet: %w", err)
		}
		return t.Data, nil
	}
	getF32 := func(name string, n int) ([]float32, error) {
		v, err := f.WantFloats(name, n)
		if err != nil {
			return nil, fmt.Errorf("bnet: %w", err)
		}
		return v, nil
	}
	q8 := func(name string, n, k int) (*kernels.Q8Matrix, error) {
		d, err := get(name+".q8", "I8", n, k)
		if err != nil {
			return nil, err
		}
		sc, err := getF32(name+".wscale", n)
		if err != nil {
			return nil, err
		}
		w := make([]int8, len(d))
		for i, v := range d {
			w[i] = int8(v)
		}
		return kernels.NewQ8Matrix(n, k, w, sc)
	}
	bools := func(d []byte) []bool {
		v := make([]bool, len(d))
		for i, x := range d {
			v[i] = x != 0
		}
		return v
	}
	bk := &Net{Shapes: shapes}
	if bk.W1, err = q8("conv1", 32, 9); err != nil {
		return nil, err
	}
	if bk.Bias1, err = getF32("conv1.bias", 32); err != nil {
		return nil, err
	}
	if bk.Thr1, err = getF32("conv1.thr", 32); err != nil {
		return nil, err
	}
	fl, err := get("conv1.flip", "U8", 32)
	if err != nil {
		return nil, err
	}
	bk.Flip1 = bools(fl)
	for l, s := range shapes {
		p := fmt.Sprintf("bconv%d.", l+2)
		words := s.B1ConvWords()
		d, err := get(p+"bits", "U8", s.Cout, 8*words)
		if err != nil {
			return nil, err
		}
		m := &kernels.B1Matrix{N: s.Cout, K: s.K(), Words: words, Data: make([]uint64, s.Cout*words)}
		for i := range m.Data {
			m.Data[i] = binary.LittleEndian.Uint64(d[8*i:])
		}
		td, err := get(p+"thr", "I32", s.Cout)
		if err != nil {
			return nil, err
		}
		fd, err := get(p+"flip", "U8", s.Cout)
		if err != nil {
			return nil, err
		}
		th := &kernels.Threshold{Thr: make([]int32, s.Cout), Flip: bools(fd)}
		for i := range th.Thr {
			th.Thr[i] = int32(binary.LittleEndian.Uint32(td[4*i:]))
		}
		bk.B[l], bk.Th[l] = m, th
	}
	fcK := (6272 + kernels.Q4BlockK - 1) / kernels.Q4BlockK * kernels.Q4BlockK
	d4, err := get("fc.q4", "U8", 10, fcK/2)
	if err != nil {
		return nil, err
	}
	sc5, err := getF32("fc.wscale", 10)
	if err != nil {
		return nil, err
	}
	w5 := &kernels.Q4Matrix{N: 10, K: 6272, Data: d4, Scale: sc5}
	if bk.W5, err = kernels.PackQ4(10, 6272, w5.Unpack(), sc5); err != nil { // checks nibbles, rebuilds ColSum
		return nil, fmt.Errorf("bnet: fc.q4: %w", err)
	}
	if bk.Bias5, err = getF32("fc.bias", 10); err != nil {
		return nil, err
	}
	return bk, nil
}
