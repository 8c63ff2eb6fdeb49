package site

import "testing"

func TestKeyValueTables(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"key-value", "<table>\n<thead>\n<tr>\n<th></th>\n<th></th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>files</td>\n<td>a, b</td>\n</tr>\n<tr>\n<td>size</td>\n<td>3</td>\n</tr>\n</tbody>\n</table>",
			"<table>\n<tbody>\n<tr>\n<th scope=\"row\">files</th>\n<td>a, b</td>\n</tr>\n<tr>\n<th scope=\"row\">size</th>\n<td>3</td>\n</tr>\n</tbody>\n</table>"},
		{"headed table unchanged", "<table>\n<thead>\n<tr>\n<th>a</th>\n<th></th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>",
			"<table>\n<thead>\n<tr>\n<th>a</th>\n<th></th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>"},
		{"aligned cells", "<p>x</p><table>\n<thead>\n<tr>\n<th style=\"text-align:right\"></th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td style=\"text-align:right\">k</td>\n</tr>\n</tbody>\n</table><p>y</p>",
			"<p>x</p><table>\n<tbody>\n<tr>\n<th scope=\"row\" style=\"text-align:right\">k</th>\n</tr>\n</tbody>\n</table><p>y</p>"},
	} {
		if got := keyValueTables(c.in); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
}

func TestLazyImages(t *testing.T) {
	if got := lazyImages(`<p><img src="cards/a.png" alt="a"></p>`); got != `<p><img loading="lazy" src="cards/a.png" alt="a"></p>` {
		t.Errorf("lazyImages: %s", got)
	}
}
