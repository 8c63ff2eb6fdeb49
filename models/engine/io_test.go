package engine

import (
	"encoding/json"
	"testing"

	"github.com/qdiff/qdiff/models/st"
)

func TestNew_BadConfig(t *testing.T) {
	good := Config{Size: 28, EmbDim: 8, TimeDim: 4, Classes: 10, Groups: 2, Ch: [3]int{4, 8, 8}}
	if _, err := New(good); err != nil {
		t.Fatal(err)
	}
	for _, c := range []Config{
		{Size: 32, EmbDim: 8, TimeDim: 4, Classes: 10, Groups: 2, Ch: [3]int{4, 8, 8}},
		{Size: 28, EmbDim: 8, TimeDim: 4, Classes: 10, Groups: 3, Ch: [3]int{4, 8, 8}},
		{Size: 28, EmbDim: 0, TimeDim: 4, Classes: 10, Groups: 2, Ch: [3]int{4, 8, 8}},
		{Size: 28, EmbDim: 8, TimeDim: 4, Classes: 10, Groups: 2, Ch: [3]int{4, 8, 1 << 20}},
	} {
		if _, err := New(c); err == nil {
			t.Errorf("config %+v accepted", c)
		}
	}
}

func TestDecode_Rejects(t *testing.T) {
	other, _ := st.Encode(map[string]string{"qdiff.model": "classifier"}, nil)
	noCfg, _ := st.Encode(map[string]string{"qdiff.model": "unet-ddpm", "qdiff.precision": "w8a8", "qdiff.engine_config": "{"}, nil)
	missing, _ := st.Encode(map[string]string{"qdiff.model": "unet-ddpm", "qdiff.precision": "w8a8",
		"qdiff.engine_config": `{"Size":28,"EmbDim":8,"TimeDim":4,"Classes":10,"Groups":2,"Ch":[4,8,8]}`}, nil)
	badPrec, _ := st.Encode(map[string]string{"qdiff.model": "unet-ddpm", "qdiff.precision": "w2a2",
		"qdiff.engine_config": `{"Size":28,"EmbDim":8,"TimeDim":4,"Classes":10,"Groups":2,"Ch":[4,8,8]}`}, nil)
	for name, b := range map[string][]byte{"garbage": []byte("nope"), "other model": other, "bad config": noCfg,
		"missing tensors": missing, "bad precision": badPrec} {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParsePrecision(t *testing.T) {
	for _, p := range []Precision{FP32, W8A8, W4A8} {
		if q, err := ParsePrecision(p.String()); err != nil || q != p {
			t.Errorf("%v: %v %v", p, q, err)
		}
	}
	if _, err := ParsePrecision("int4"); err == nil {
		t.Error("int4 accepted")
	}
}

func TestConfig_JSON(t *testing.T) {
	c := Config{Size: 28, EmbDim: 256, TimeDim: 64, Classes: 11, Groups: 8, Ch: [3]int{32, 64, 128}}
	var viaStd Config
	if err := json.Unmarshal(c.json(), &viaStd); err != nil || viaStd != c {
		t.Fatalf("encoding/json reads %s as %+v (%v)", c.json(), viaStd, err)
	}
	back, err := parseConfig(string(c.json()))
	if err != nil || back != c {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	for _, bad := range []string{``, `[]`, `{"Size":28}`, `{"Size":28.5,"EmbDim":1,"TimeDim":1,"Classes":1,"Groups":1,"Ch":[1,2,3]}`,
		`{"Size":28,"EmbDim":1,"TimeDim":1,"Classes":1,"Groups":1,"Ch":[1,2]}`} {
		if _, err := parseConfig(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}
