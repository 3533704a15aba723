package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The fast paths of Text and Line: a scan for clean ASCII eight bytes at a
// time, bit tables for the Basic Multilingual Plane and an inline UTF-8
// decoder. Each is checked against the slow or standard way in the tests.

// asciiClean reports whether s is printable ASCII (plus newline and tab
// for Text) that clean would return unchanged: the fast path for the common
// case of plain titles and rows.
func asciiClean(s string, line bool) bool {
	if line {
		return printableASCII(s) && (s == "" || s[0] != ' ' && s[len(s)-1] != ' ') &&
			!strings.Contains(s, "  ")
	}
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if w := load64(s, i); !printable64(w) {
			for _, c := range []byte(s[i : i+8]) {
				if !textByte(c) {
					return false
				}
			}
		}
	}
	for ; i < len(s); i++ {
		if !textByte(s[i]) {
			return false
		}
	}
	return true
}

func textByte(c byte) bool {
	return c >= 0x20 && c < del || c == '\n' || c == '\t'
}

// printableASCII reports whether every byte of s is in 0x20-0x7E, eight
// bytes at a time.
func printableASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if !printable64(load64(s, i)) {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= del {
			return false
		}
	}
	return true
}

func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// printable64 reports whether all eight bytes of w are in 0x20-0x7E.
func printable64(w uint64) bool {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	below := (w - 0x20*ones) & ^w & high // some byte < 0x20 (or >= 0x80)
	above := (w + (0x80-del)*ones) | w   // some byte >= 0x7F sets its high bit
	return (below | above&high) == 0
}

// isFormat reports whether r is in Unicode category Cf. Most text never
// reaches the table: no Cf character lies below U+0600 except the soft
// hyphen, nor between U+2070 and U+FEFE (CJK, symbols) or between U+1D17B
// and U+E0000 (emoji); TestIsFormat checks the shortcuts against the table.
func isFormat(r rune) bool {
	switch {
	case r < 0x600:
		return r == 0xad
	case r >= 0x2070 && r < 0xfeff, r >= 0x1d17b && r < 0xe0001:
		return false
	}
	return unicode.Is(unicode.Cf, r)
}

// isMark reports whether r is a combining mark (Mn, Me or Mc). Above the
// BMP there is none between U+1E94B and U+E00FF (emoji among them);
// TestIsMark checks the shortcut against the tables.
func isMark(r rune) bool {
	switch {
	case r < 0x10000:
		return bmpMarks.has(r)
	case r >= 0x1e94b && r < 0xe0100:
		return false
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc)
}

// bitmap is a set of BMP code points.
type bitmap [0x10000 / 64]uint64

func (b *bitmap) has(r rune) bool { return b[r>>6]&(1<<(r&63)) != 0 }

func (b *bitmap) set(r rune) { b[r>>6] |= 1 << (r & 63) }

func (b *bitmap) add(tables ...*unicode.RangeTable) {
	for _, t := range tables {
		for _, rg := range t.R16 {
			for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
				b[r>>6] |= 1 << (r & 63)
			}
		}
	}
}

var (
	// bmpSpecial holds the BMP runes ground handles specially: C1
	// controls, U+FFFD (it may stand for invalid input), the line and
	// paragraph separators, the format characters (Cf) and the fillers.
	bmpSpecial = func() *bitmap {
		b := new(bitmap)
		b.add(unicode.Cf, fillers, &unicode.RangeTable{R16: []unicode.Range16{
			{Lo: c1s, Hi: c1e, Stride: 1}, {Lo: 0x2028, Hi: 0x2029, Stride: 1}, {Lo: 0xfffd, Hi: 0xfffd, Stride: 1},
		}})
		return b
	}()
	// bmpCombining holds the BMP nonspacing and enclosing marks (Mn, Me).
	bmpCombining = func() *bitmap {
		b := new(bitmap)
		b.add(unicode.Mn, unicode.Me)
		return b
	}()
	// bmpMarks holds every BMP combining mark (Mn, Me, Mc).
	bmpMarks = func() *bitmap {
		b := new(bitmap)
		b.add(unicode.Mn, unicode.Me, unicode.Mc)
		return b
	}()
)

// decodeRune is utf8.DecodeRuneInString(s[i:]) with the valid two- and
// three-byte forms decoded inline, as they make up most non-ASCII text.
func decodeRune(s string, i int) (rune, int) {
	c := s[i]
	switch {
	case c >= 0xc2 && c < 0xe0 && i+1 < len(s) && s[i+1]&0xc0 == 0x80:
		return rune(c&0x1f)<<6 | rune(s[i+1]&0x3f), 2
	case c > 0xe0 && c < 0xf0 && c != 0xed && i+2 < len(s) && s[i+1]&0xc0 == 0x80 && s[i+2]&0xc0 == 0x80:
		// E0 (overlong forms) and ED (surrogates) need the full checks.
		return rune(c&0x0f)<<12 | rune(s[i+1]&0x3f)<<6 | rune(s[i+2]&0x3f), 3
	}
	return utf8.DecodeRuneInString(s[i:])
}
