package ui

import (
	"slices"
	"strings"
	"testing"

	"pobox/sanitize"
)

func plainLines(lines [][]frag) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		var b strings.Builder
		for _, f := range l {
			b.WriteString(f.text)
		}
		out[i] = b.String()
	}
	return out
}

func TestWrapSpans(t *testing.T) {
	for _, c := range []struct {
		name   string
		text   string
		width  int
		reflow bool
		want   []string
	}{
		{"fits", "hello world", 20, true, []string{"hello world"}},
		{"wraps at spaces", "the quick brown fox jumps", 10, true, []string{"the quick", "brown fox", "jumps"}},
		{"long word cut", "abcdefghijkl xy", 5, true, []string{"abcde", "fghij", "kl xy"}},
		{"newlines kept", "a\n\nb", 10, true, []string{"a", "", "b"}},
		{"indent kept after newline", "x\n  y", 10, true, []string{"x", "  y"}},
		{"no leading space after wrap", "aaaa bbbb", 4, true, []string{"aaaa", "bbbb"}},
		{"tabs become spaces", "a\tb", 10, true, []string{"a b"}},
		{"wide runes", "日本語のテキスト", 5, true, []string{"日本", "語の", "テキ", "スト"}},
		{"emoji cluster not split", "ab👩‍👩‍👧c", 3, true, []string{"ab", "👩‍👩‍👧c"}},
		{"combining mark stays", "e\u0301e\u0301e\u0301", 2, true, []string{"e\u0301e\u0301", "e\u0301"}},
		{"too wide for the pane", "日x", 1, true, []string{"?", "x"}},
		{"monospace keeps spaces", "a   b\nc  d", 10, false, []string{"a   b", "c  d"}},
		{"monospace cuts hard", "0123456789", 4, false, []string{"0123", "4567", "89"}},
		{"monospace tab stops", "a\tb\tc", 20, false, []string{"a       b       c"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := plainLines(wrapSpans(sanitize.Grapheme, []sanitize.Span{{Text: c.text}}, c.width, c.reflow))
			if !slices.Equal(got, c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
			for _, l := range got {
				if sanitize.Width(l) > c.width {
					t.Fatalf("line %q wider than %d", l, c.width)
				}
			}
		})
	}
}

// TestWrapKeepsFormatting: spans keep their formatting across wraps and
// merge when adjacent with the same one.
func TestWrapKeepsFormatting(t *testing.T) {
	spans := []sanitize.Span{{Text: "plain "}, {Text: "bold words here", Bold: true}, {Text: " link", Href: "https://x.example/"}}
	lines := wrapSpans(sanitize.Grapheme, spans, 12, true)
	want := [][]frag{
		{{text: "plain "}, {text: "bold", span: sanitize.Span{Bold: true}}},
		{{text: "words here", span: sanitize.Span{Bold: true}}},
		{{text: "link", span: sanitize.Span{Href: "https://x.example/"}}},
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d lines %q, want %d", len(lines), plainLines(lines), len(want))
	}
	for i := range want {
		if !slices.Equal(lines[i], want[i]) {
			t.Errorf("line %d: got %+v, want %+v", i, lines[i], want[i])
		}
	}
}
