package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Linkify sanitizes s as Text does and splits it into spans, giving every
// http:// or https:// URL found in it its own span with Href set (when
// SafeURL accepts it). A URL starts at a word boundary and ends at white
// space or one of < > " `; trailing punctuation such as a full stop or an
// unbalanced closing parenthesis is left outside the link. Joining the
// spans' text gives back Text(s). A link's HostHint is set when its text
// does not show its host as written (an international name, which the
// hint shows in punycode). Text is prepared in the process-wide
// width mode.
func Linkify(s string) []Span {
	return CurrentWidthMode().Linkify(s)
}

// Linkify is the package's Linkify in mode m.
func (m WidthMode) Linkify(s string) []Span {
	s = m.Text(s)
	var spans []Span
	last := 0
	for i := 0; i < len(s); {
		j := nextScheme(s, i)
		if j < 0 {
			break
		}
		end := urlEnd(s, j)
		u, ok := SafeURL(s[j:end])
		if !ok { // a word that is no URL is left alone, whole
			i = max(end, j+1)
			continue
		}
		if j > last {
			spans = append(spans, Span{Text: s[last:j]})
		}
		spans = append(spans, Span{Text: s[j:end], Href: u})
		last, i = end, end
	}
	if last < len(s) {
		spans = append(spans, Span{Text: s[last:]})
	}
	setHostHints(spans)
	return spans
}

// nextScheme returns the index of the next "http://" or "https://" (any
// case) at or after i that starts a word, or -1.
func nextScheme(s string, i int) int {
	for ; i < len(s); i++ {
		if c := s[i]; c != 'h' && c != 'H' {
			continue
		}
		if i > 0 && isWordByte(s[i-1]) {
			continue
		}
		if hasPrefixFold(s[i:], "http://") || hasPrefixFold(s[i:], "https://") {
			return i
		}
	}
	return -1
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// urlEnd returns the end of the URL that starts at j.
func urlEnd(s string, j int) int {
	end := j
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		if unicode.IsSpace(r) || strings.ContainsRune("<>\"`", r) {
			break
		}
		end += size
	}
	// Leave trailing punctuation outside, and a closing bracket that has no
	// opening one inside the URL ("(see https://example.com/a)").
	open := strings.Count(s[j:end], "(") - strings.Count(s[j:end], ")")
	square := strings.Count(s[j:end], "[") - strings.Count(s[j:end], "]")
	for end > j {
		switch c := s[end-1]; {
		case strings.IndexByte(".,:;!?'*", c) >= 0:
		case c == ')' && open < 0:
			open++
		case c == ']' && square < 0:
			square++
		default:
			return end
		}
		end--
	}
	return end
}
