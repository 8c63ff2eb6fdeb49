package sidial

import (
	"math"
	"strings"
	"testing"

	"github.com/qdiff/qdiff/models/st"
)

// draw makes a 28x28 image from a predicate on (x, y).
func draw(ink func(x, y int) bool) []uint8 {
	img := make([]uint8, Side*Side)
	for y := 0; y < Side; y++ {
		for x := 0; x < Side; x++ {
			if ink(x, y) {
				img[y*Side+x] = 255
			}
		}
	}
	return img
}

func ring(cx, cy, r0, r1 float64) func(x, y int) bool {
	return func(x, y int) bool {
		d := math.Hypot(float64(x)-cx, float64(y)-cy)
		return d >= r0 && d <= r1
	}
}

func answer(t *testing.T, img []uint8, text string) bool {
	t.Helper()
	for i, q := range Questions {
		if q.Text == text {
			return Oracle(img)[i] > 0
		}
	}
	t.Fatalf("no question %q", text)
	return false
}

func TestQuestions_Oracle(t *testing.T) {
	zero := draw(ring(14, 14, 5, 8))
	bar := draw(func(x, y int) bool { return x >= 13 && x <= 15 && y >= 4 && y <= 23 })
	eight := draw(func(x, y int) bool { return ring(14, 9, 3, 5)(x, y) || ring(14, 19, 3, 5)(x, y) })
	cases := []struct {
		name string
		img  []uint8
		q    string
		want bool
	}{
		{"0", zero, "Does it have a closed loop?", true},
		{"0", zero, "Does it have two closed loops?", false},
		{"0", zero, "Is there ink in the centre?", false},
		{"1", bar, "Does it have a closed loop?", false},
		{"1", bar, "Is it much taller than it is wide?", true},
		{"1", bar, "Does a long vertical stroke run through the middle?", true},
		{"1", bar, "Is there ink in the top left?", false},
		{"8", eight, "Does it have two closed loops?", true},
		{"8", eight, "Is there a loop in the top half?", true},
		{"8", eight, "Is there a loop in the bottom half?", true},
		{"blank", make([]uint8, 784), "Is it much taller than it is wide?", false},
	}
	for _, c := range cases {
		if got := answer(t, c.img, c.q); got != c.want {
			t.Errorf("%s: %q = %v, want %v", c.name, c.q, got, c.want)
		}
	}
}

func TestOcclusion_Mask(t *testing.T) {
	for _, o := range Levels {
		for seed := uint64(0); seed < 5; seed++ {
			m, err := o.Mask(seed)
			if err != nil {
				t.Fatal(err)
			}
			hidden := 0
			for _, h := range m {
				if h {
					hidden++
				}
			}
			if got := float64(hidden) / float64(len(m)); got != o.Hidden {
				t.Errorf("%s seed %d: %.3f hidden, want %v", o.Name, seed, got, o.Hidden)
			}
			again, _ := o.Mask(seed)
			for i := range m {
				if m[i] != again[i] {
					t.Fatalf("%s seed %d: mask not deterministic", o.Name, seed)
				}
			}
		}
	}
	if _, err := (Occlusion{Hidden: 1.5}).Mask(1); err == nil {
		t.Error("hidden fraction 1.5 accepted")
	}
	img := draw(func(x, y int) bool { return true })
	m, _ := Levels[4].Mask(3)
	for i, v := range Occlude(img, m) {
		if (v == 0) != m[i] {
			t.Fatalf("pixel %d: %d after occlusion, hidden %v", i, v, m[i])
		}
	}
}

// twoQuestionModel: question 0 tells 0-4 from 5-9 exactly, the rest say nothing.
func twoQuestionModel() *Model {
	m := &Model{LogYes: make([][Classes]float64, len(Questions)), LogNo: make([][Classes]float64, len(Questions))}
	for q := range m.LogYes {
		for c := 0; c < Classes; c++ {
			p := 0.5
			if q == 0 {
				p = 0.01
				if c < 5 {
					p = 0.99
				}
			}
			m.LogYes[q][c], m.LogNo[q][c] = math.Log(p), math.Log(1-p)
		}
	}
	return m
}

func TestModel_NextAndPosterior(t *testing.T) {
	m := twoQuestionModel()
	uniform := make([]float64, Classes)
	for i := range uniform {
		uniform[i] = 0.1
	}
	ans := make([]int8, len(Questions))
	q, err := m.Next(uniform, 0.5, ans)
	if err != nil || q != 0 {
		t.Fatalf("first question %d (%v), want the informative 0", q, err)
	}
	ans[0] = 1
	post, _ := m.Posterior(uniform, 0.5, ans)
	var low float64
	for c := 0; c < 5; c++ {
		low += post[c]
	}
	if low < 0.98 {
		t.Errorf("after 'yes' to question 0: P(0-4) = %v", low)
	}
	for i := range ans {
		ans[i] = -1
	}
	if q, _ := m.Next(uniform, 0.5, ans); q != -1 {
		t.Errorf("all asked: next %d, want -1", q)
	}
	if _, err := m.Posterior(uniform[:3], 0.5, ans); err == nil {
		t.Error("3 probabilities accepted")
	}
}

func TestFit_LearnsFromAnswers(t *testing.T) {
	// the classifier says nothing (uniform); answers to question 0 give the
	// class's half exactly: the fit must lean on the answers
	var samples []Sample
	uniform := make([]float64, Classes)
	for i := range uniform {
		uniform[i] = 0.1
	}
	for i := 0; i < 400; i++ {
		c := i % Classes
		a := make([]int8, len(Questions))
		for q := range a {
			a[q] = int8(1 - 2*((i/Classes+q)%2))
		}
		a[0] = -1
		if c < 5 {
			a[0] = 1
		}
		samples = append(samples, Sample{Probs: uniform, Hidden: 0.5, Label: c, Answers: a})
	}
	m, err := Fit(samples, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	if math.Exp(m.LogYes[0][2]) < 0.95 || math.Exp(m.LogYes[0][7]) > 0.05 {
		t.Errorf("P(yes|2) = %v, P(yes|7) = %v", math.Exp(m.LogYes[0][2]), math.Exp(m.LogYes[0][7]))
	}
	if _, be := m.weights(0.5); be < 0.5 {
		t.Errorf("beta %v: answers ignored", m.Beta)
	}
	if _, err := m.Posterior(uniform, 1.5, make([]int8, len(Questions))); err == nil {
		t.Error("hidden fraction 1.5 accepted")
	}
	if _, err := Fit(nil, 3, 1); err == nil {
		t.Error("no samples accepted")
	}
	if _, err := Fit([]Sample{{Probs: uniform, Label: 12, Answers: make([]int8, len(Questions))}}, 3, 1); err == nil {
		t.Error("label 12 accepted")
	}
}

func TestModel_EncodeDecode(t *testing.T) {
	m := twoQuestionModel()
	m.Bias[3] = 0.25
	b, err := m.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(back.LogYes[0][1]-m.LogYes[0][1]) > 1e-6 || back.Bias[3] != 0.25 || back.Alpha[0] != 0 {
		t.Errorf("round trip changed the model")
	}
	for _, bad := range [][]byte{nil, b[:len(b)/2]} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("%d corrupt bytes accepted", len(bad))
		}
	}
	f, err := st.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range f.Tensors {
		if f.Tensors[i].Name == "bias" {
			f.Tensors[i].Shape = []int{5, 2}
		}
	}
	reshaped, err := st.Encode(f.Meta, f.Tensors)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Decode(reshaped); err == nil || !strings.Contains(err.Error(), "bias has shape [5 2], want [10]") {
		t.Errorf("[5,2] where [10] is expected: %v", err)
	}
	m.LogYes[0][0] = 0.5 // a log-probability above 0
	b, _ = m.Encode(nil)
	if _, err := Decode(b); err == nil || !strings.Contains(err.Error(), "above 0") {
		t.Errorf("impossible probability: %v", err)
	}
}
