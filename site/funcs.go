package site

import (
	"strconv"
	"strings"
)

func itoa(i int) string     { return strconv.Itoa(i) }
func upper(s string) string { return strings.ToUpper(s) }
