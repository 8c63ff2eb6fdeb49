package main

import (
	"strconv"
	"strings"
)

// negotiate picks the content coding to send from those the server has
// (in its order of preference) by the request's Accept-Encoding (RFC 9110
// 12.5.3): a coding named in the header takes its own q, one not named
// takes the q of "*" if present and is refused otherwise; q=0 refuses; the
// highest q wins, ties going to the server's order. "" means identity.
// So `*;q=0, br` allows br alone, and `gzip;q=0.5, br;q=1` prefers br.
func negotiate(header string, have []string) string {
	if len(have) == 0 || header == "" {
		return ""
	}
	named := map[string]float64{}
	star := -1.0
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(part, ";")
		token := strings.ToLower(strings.TrimSpace(fields[0]))
		if token == "" {
			continue
		}
		q := 1.0
		for _, p := range fields[1:] {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil || f < 0 || f > 1 || f != f {
					f = 0 // a malformed weight accepts nothing
				}
				q = f
			}
		}
		if token == "*" {
			star = q
		} else if old, seen := named[token]; !seen || q > old {
			named[token] = q
		}
	}
	best, bestQ := "", 0.0
	for _, c := range have {
		q, ok := named[c]
		if !ok {
			q = max(star, 0)
		}
		if q > bestQ {
			best, bestQ = c, q
		}
	}
	return best
}
