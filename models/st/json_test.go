package st

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseJSON(t *testing.T) {
	good := []string{
		`{}`, `[]`, `{"a":1}`, ` {"a" : [1, -2.5e3, 0, 0.25, true, false, null], "b": {"c": "d"}} `,
		`"\u00e9\n\t\\\/\"x"`, `"\ud83d\ude00"`, `-0`, `1E+2`, `{"__metadata__":{"k":"v"},"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}`,
	}
	for _, s := range good {
		got, err := ParseJSON([]byte(s))
		if err != nil {
			t.Errorf("%s: %v", s, err)
			continue
		}
		var want any
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatalf("encoding/json rejects %s: %v", s, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, encoding/json %#v", s, got, want)
		}
	}
	bad := []string{``, `{`, `{"a"}`, `{"a":1,}`, `[1,]`, `{"a":1}x`, `01`, `-`, `1.`, `.5`, `+1`, `1e`, `"a`, "\"\x01\"",
		`"\q"`, `{"a":1,"a":2}`, `tru`, `{1:2}`, strings.Repeat("[", 100) + strings.Repeat("]", 100), "\"\xff\""}
	for _, s := range bad {
		if v, err := ParseJSON([]byte(s)); err == nil {
			t.Errorf("%q accepted as %#v", s, v)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" back\\ nl\n tab\t cr\r bell\x07", "é ü 😀", "\u2028"} {
		b := AppendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Errorf("%q -> %s -> %q (%v)", s, b, back, err)
		}
	}
}

// FuzzParseJSON: whatever ParseJSON accepts, encoding/json reads as the
// same value.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"x\u0041"`, `-1.5e-3`, `[true,false]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseJSON(b)
		if err != nil {
			return
		}
		if !utf8.Valid(b) {
			t.Fatalf("accepted invalid UTF-8 %q", b)
		}
		var want any
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("accepted %q, which encoding/json rejects: %v", b, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: got %#v, encoding/json %#v", b, got, want)
		}
	})
}
