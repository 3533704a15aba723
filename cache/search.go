package cache

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// maxSearchWords bounds the work one search can ask of the index.
	maxSearchWords = 16
	// minPrefixLen is the shortest word searched as a prefix.
	minPrefixLen = 2
)

// matchExpr turns what a user typed into an FTS4 MATCH expression that is
// never a syntax error, or "" when the text holds no word at all.
//
// The text is split into words at every character that is not a letter, a
// digit or a combining mark: the same places where the unicode61 tokenizer
// splits, so nothing searchable is lost. Each word becomes a quoted phrase
// ("backu*"), which keeps words such as AND, OR, NOT and NEAR from being
// read as operators; quotes, '*', '-', parentheses and ':' can no longer
// occur inside a word, so none of them reaches the query syntax. The words
// are ANDed: a message matches when it contains all of them.
//
// Every word of two or more characters gets a trailing '*', a prefix query,
// so that results follow typing. A one-character word does not: a
// one-letter prefix matches nearly every message and makes FTS4 merge the
// posting lists of hundreds of terms (about 25 ms at 100,000 messages), for
// a result that narrows nothing.
func matchExpr(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.M, r)
	})
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('"')
		b.WriteString(w)
		if utf8.RuneCountInString(w) >= minPrefixLen {
			b.WriteByte('*')
		}
		b.WriteByte('"')
	}
	return b.String()
}
