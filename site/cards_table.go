package site

import (
	"regexp"
	"strings"
)

// emptyHead matches a table head whose cells are all empty: the cards'
// key-value tables (| | | over |---|---|) render one.
var emptyHead = regexp.MustCompile(`<thead>\s*<tr>\s*(?:<th[^>]*>\s*</th>\s*)+</tr>\s*</thead>\s*`)

// firstCell matches a row's first data cell.
var firstCell = regexp.MustCompile(`(?s)<tr>(\s*)<td([^>]*)>(.*?)</td>`)

// keyValueTables drops the empty heads of key-value tables and makes
// each row's first cell its header (a table head without text is an
// accessibility fault; a row header names the row).
func keyValueTables(html string) string {
	parts := strings.Split(html, "<table>")
	for i := 1; i < len(parts); i++ {
		end := strings.Index(parts[i], "</table>")
		if end < 0 {
			continue
		}
		t := parts[i][:end]
		loc := emptyHead.FindStringIndex(t)
		if loc == nil || strings.TrimSpace(t[:loc[0]]) != "" {
			continue
		}
		t = t[:loc[0]] + firstCell.ReplaceAllString(t[loc[1]:], `<tr>$1<th scope="row"$2>$3</th>`)
		parts[i] = t + parts[i][end:]
	}
	return strings.Join(parts, "<table>")
}
