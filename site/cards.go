package site

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// Card is a model card rendered for the docs page.
type Card struct {
	Name string // file name without .CARD.md
	HTML string // rendered Markdown (trusted: committed cards only)
}

// imgSrc matches the local images a card shows.
var imgSrc = regexp.MustCompile(`!\[[^\]]*\]\(([^)\s:]+\.png)\)`)

// renderCards renders each Markdown card (GitHub tables) and copies the
// PNG images it shows into out/cards/, rewriting their paths.
func renderCards(out string, paths []string) ([]Card, error) {
	md := goldmark.New(goldmark.WithExtensions(extension.GFM))
	var cards []Card
	if err := os.MkdirAll(filepath.Join(out, "cards"), 0o755); err != nil {
		return nil, err
	}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("site: card: %w", err)
		}
		for _, m := range imgSrc.FindAllSubmatch(src, -1) {
			name := string(m[1])
			b, err := os.ReadFile(filepath.Join(filepath.Dir(p), name))
			if err != nil {
				return nil, fmt.Errorf("site: card %s shows %s: %w", p, name, err)
			}
			if err := os.WriteFile(filepath.Join(out, "cards", filepath.Base(name)), b, 0o644); err != nil {
				return nil, err
			}
		}
		src = imgSrc.ReplaceAllFunc(src, func(m []byte) []byte {
			i := bytes.LastIndexByte(m, '(')
			return append(append(append([]byte{}, m[:i+1]...), "cards/"...), filepath.Base(string(m[i+1:len(m)-1]))+")"...)
		})
		var h bytes.Buffer
		if err := md.Convert(src, &h); err != nil {
			return nil, fmt.Errorf("site: card %s: %w", p, err)
		}
		cards = append(cards, Card{Name: strings.TrimSuffix(filepath.Base(p), ".CARD.md"), HTML: lazyImages(keyValueTables(h.String()))})
	}
	return cards, nil
}

// lazyImages makes a card's images load when scrolled near: they are far
// below the docs' live demos, and a cold visit should not pay for them.
func lazyImages(html string) string {
	return strings.ReplaceAll(html, "<img src=", `<img loading="lazy" src=`)
}
