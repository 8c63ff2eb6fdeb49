package sidial

import (
	"fmt"

	"github.com/qdiff/qdiff/models/st"
)

// ModelName is the qdiff.model value of dialog files (models/FORMAT.md).
const ModelName = "sidial-mnist-v2"

// Encode writes the model as safetensors bytes with meta added.
func (m *Model) Encode(meta map[string]string) ([]byte, error) {
	nq := len(m.LogYes)
	yes, no := make([]float32, nq*Classes), make([]float32, nq*Classes)
	for q := 0; q < nq; q++ {
		for c := 0; c < Classes; c++ {
			yes[q*Classes+c], no[q*Classes+c] = float32(m.LogYes[q][c]), float32(m.LogNo[q][c])
		}
	}
	bias := make([]float32, Classes)
	for c, v := range m.Bias {
		bias[c] = float32(v)
	}
	md := map[string]string{"qdiff.kind": "model", "qdiff.model": ModelName, "qdiff.questions": fmt.Sprint(nq)}
	for k, v := range meta {
		md[k] = v
	}
	return st.Encode(md, []st.Tensor{
		st.F32Tensor("log_yes", []int{nq, Classes}, yes), st.F32Tensor("log_no", []int{nq, Classes}, no),
		st.F32Tensor("alpha_beta", []int{4}, []float32{float32(m.Alpha[0]), float32(m.Alpha[1]), float32(m.Beta[0]), float32(m.Beta[1])}),
		st.F32Tensor("bias", []int{Classes}, bias),
	})
}

// Decode reads a model written by Encode, checking shapes and values.
func Decode(b []byte) (*Model, error) {
	f, err := st.Decode(b)
	if err != nil {
		return nil, err
	}
	if f.Meta["qdiff.model"] == "sidial-mnist-v1" {
		return nil, fmt.Errorf("sidial: sidial-mnist-v1 (linear weights) is retired; refit with qdiff dialog (models/FORMAT.md)")
	}
	if f.Meta["qdiff.model"] != ModelName {
		return nil, fmt.Errorf("sidial: not a dialog model (qdiff.model = %q)", st.Clip(f.Meta["qdiff.model"]))
	}
	nq := len(Questions)
	if q := f.Meta["qdiff.questions"]; q != fmt.Sprint(nq) {
		return nil, fmt.Errorf("sidial: qdiff.questions = %q, this build asks %d questions", st.Clip(q), nq)
	}
	get := func(name string, shape ...int) ([]float32, error) {
		v, err := f.WantFloats(name, shape...)
		if err != nil {
			return nil, fmt.Errorf("sidial: %w (this build asks %d questions)", err, nq)
		}
		return v, nil
	}
	yes, err := get("log_yes", nq, Classes)
	if err != nil {
		return nil, err
	}
	no, err := get("log_no", nq, Classes)
	if err != nil {
		return nil, err
	}
	ab, err := get("alpha_beta", 4)
	if err != nil {
		return nil, err
	}
	bias, err := get("bias", Classes)
	if err != nil {
		return nil, err
	}
	m := &Model{LogYes: make([][Classes]float64, nq), LogNo: make([][Classes]float64, nq), Alpha: [2]float64{float64(ab[0]), float64(ab[1])}, Beta: [2]float64{float64(ab[2]), float64(ab[3])}}
	for q := 0; q < nq; q++ {
		for c := 0; c < Classes; c++ {
			m.LogYes[q][c], m.LogNo[q][c] = float64(yes[q*Classes+c]), float64(no[q*Classes+c])
			if m.LogYes[q][c] > 0 || m.LogNo[q][c] > 0 {
				return nil, fmt.Errorf("sidial: log-probability above 0 at question %d class %d", q, c)
			}
		}
	}
	for c := range m.Bias {
		m.Bias[c] = float64(bias[c])
	}
	return m, nil
}
