package ui

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// matcher finds what a search matched in a row's text, the way the cache's
// full-text search matches: the start of a word that begins with a search
// term, ignoring case and diacritics; a one-letter term matches only a
// one-letter word.
type matcher struct {
	terms [][]rune // folded
}

// span is a matched part of a text, in byte offsets.
type span struct{ start, end int }

// newMatcher returns the matcher of a search, or nil when it has no term.
func newMatcher(search string) *matcher {
	var mt matcher
	for _, w := range words(search) {
		if t := foldWord(w.text).runes; len(t) > 0 {
			mt.terms = append(mt.terms, t)
		}
	}
	if len(mt.terms) == 0 {
		return nil
	}
	return &mt
}

// spans returns the matched parts of text, in order, not overlapping.
func (mt *matcher) spans(text string) []span {
	if mt == nil {
		return nil
	}
	var out []span
	for _, w := range words(text) {
		f := foldWord(w.text)
		best := 0 // bytes of w matched
		for _, t := range mt.terms {
			if len(t) > len(f.runes) || (len(t) == 1 && len(f.runes) != 1) {
				continue
			}
			if equalRunes(f.runes[:len(t)], t) {
				best = max(best, f.ends[len(t)-1])
			}
		}
		if best > 0 {
			out = append(out, span{w.start, w.start + best})
		}
	}
	return out
}

// word is a run of letters and digits (marks included) in a text.
type word struct {
	text  string
	start int
}

func words(s string) []word {
	var out []word
	start := -1
	for i, r := range s {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) || (start >= 0 && unicode.Is(unicode.Mn, r))
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, word{s[start:i], start})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, word{s[start:], start})
	}
	return out
}

// folded is a word lowered and stripped of diacritics; ends[i] is the byte
// offset in the word just past the rune that gave runes[i].
type folded struct {
	runes []rune
	ends  []int
}

func foldWord(w string) folded {
	var f folded
	var buf [utf8.UTFMax * 4]byte
	for i, r := range w {
		end := i + utf8.RuneLen(r)
		if r < utf8.RuneSelf {
			f.runes = append(f.runes, unicode.ToLower(r))
			f.ends = append(f.ends, end)
			continue
		}
		d := norm.NFD.AppendString(buf[:0], string(r))
		for _, dr := range string(d) {
			if unicode.Is(unicode.Mn, dr) {
				continue
			}
			f.runes = append(f.runes, unicode.ToLower(dr))
			f.ends = append(f.ends, end)
		}
	}
	return f
}

func equalRunes(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// split cuts text at the spans: the pieces alternate unmatched, matched,
// unmatched, ... starting with an unmatched piece (maybe empty).
func split(text string, spans []span) []string {
	pieces := make([]string, 0, 2*len(spans)+1)
	at := 0
	for _, sp := range spans {
		pieces = append(pieces, text[at:sp.start], text[sp.start:sp.end])
		at = sp.end
	}
	return append(pieces, text[at:])
}
