package site

import (
	"fmt"
	"strconv"
	"strings"
)

func itoa(i int) string     { return strconv.Itoa(i) }
func upper(s string) string { return strings.ToUpper(s) }

// mb writes a byte count as the page does (client.js fmtBytes): MB with
// two decimals from 1 MB, else whole KB.
func mb(n int) string {
	if n >= 1e6 {
		return fmt.Sprintf("%.2f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%d KB", (n+500)/1000)
}

// modelSizes lists the models' download sizes: "FP32 4.08 MB, W8A8 ...".
func modelSizes(ms []Model) string {
	var parts []string
	for _, m := range ms {
		parts = append(parts, upper(m.Precision)+" "+mb(m.Wire))
	}
	return strings.Join(parts, ", ")
}
