package cache

import (
	"strings"
	"unicode"
)

// maxSearchWords bounds the work one search can ask of the index.
const maxSearchWords = 16

// matchExpr turns what a user typed into an FTS4 MATCH expression that is
// never a syntax error, or "" when the text holds no word at all.
//
// The text is split into words at every character that is not a letter, a
// digit or a combining mark: the same places where the unicode61 tokenizer
// splits, so nothing searchable is lost. Each word becomes a quoted phrase
// with a trailing '*' ("backu*"), which makes every word a prefix (results
// follow typing) and keeps words such as AND, OR, NOT and NEAR from being
// read as operators. Quotes, '*', '-', parentheses and ':' can no longer
// occur inside a word, so none of them reaches the query syntax.
// The words are ANDed: a message matches when it contains all of them.
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
		b.WriteString(`*"`)
	}
	return b.String()
}
