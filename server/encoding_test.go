package main

import "testing"

func TestNegotiate(t *testing.T) {
	both := []string{"br", "gzip"}
	for _, c := range []struct {
		header string
		have   []string
		want   string
	}{
		{"", both, ""},
		{"gzip, deflate, br", both, "br"},
		{"gzip", both, "gzip"},
		{"br", []string{"gzip"}, ""},
		{"*;q=0, br", both, "br"},
		{"*;q=0", both, ""},
		{"*", both, "br"},
		{"br;q=0, *", both, "gzip"},
		{"gzip;q=0.5, br;q=0.4", both, "gzip"},
		{"gzip;q=0.5, br;q=1", both, "br"},
		{"BR", both, "br"},
		{"gzip;q=0", both, ""},
		{"gzip;q=0.000", both, ""},
		{"gzip; q = 0", both, ""},
		{"gzip;q=abc", both, ""},
		{"gzip;q=2", both, ""},
		{"identity", both, ""},
		{" , ,br", both, "br"},
	} {
		if got := negotiate(c.header, c.have); got != c.want {
			t.Errorf("negotiate(%q, %v) = %q, want %q", c.header, c.have, got, c.want)
		}
	}
}
