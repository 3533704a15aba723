package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text returns s with every escape sequence and control character removed
// except newline and tab, carriage returns turned into newlines, invisible
// format characters (bidi controls among them) removed and invalid UTF-8
// replaced by U+FFFD. See the package documentation for the exact policy.
// Text is idempotent and returns s itself when s is already clean.
func Text(s string) string {
	if asciiClean(s, false) {
		return s
	}
	return clean(s, false)
}

// Line is Text for one-line contexts such as list rows and the status bar:
// newlines, carriage returns and tabs become spaces, runs of spaces collapse
// to one and leading and trailing spaces are trimmed. Line is idempotent and
// returns s itself when s is already clean.
func Line(s string) string {
	if asciiClean(s, true) {
		return s
	}
	return clean(s, true)
}

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

// state is the position in the DEC/ECMA-48 escape sequence state machine.
type state uint8

const (
	ground     state = iota // printing text
	escape                  // after ESC
	escInter                // after ESC and intermediate bytes 0x20-0x2F
	csi                     // control sequence: parameters, intermediates
	oscString               // OSC payload, ended by BEL or ST
	ctrlString              // DCS, SOS, PM or APC payload, ended by ST
)

// Control characters the state machine names.
const (
	bel = 0x07
	can = 0x18
	sub = 0x1a
	esc = 0x1b
	del = 0x7f
	nel = 0x85 // C1 NEXT LINE
	c1s = 0x80 // first C1 control
	c1e = 0x9f // last C1 control
)

// cleaner writes the sanitized form of src. While the output equals a
// prefix of src it only advances n, so clean input costs no allocation;
// at the first difference it copies that prefix into b and goes on there.
type cleaner struct {
	src          string
	line         bool
	b            strings.Builder
	copying      bool
	off, n       int  // while !copying, the output is src[off:n]
	last         rune // last rune written, 0 when nothing was written
	pendingSpace bool // Line: write one space before the next rune
	crlf         bool // Text: a CR just became LF, so swallow a following LF
}

// clean is the slow path of Text and Line: one pass of the state machine.
func clean(src string, line bool) string {
	c := cleaner{src: src, line: line}
	st := ground
	for i := 0; i < len(src); {
		if st == ground { // a run of printable ASCII is written whole
			j := i
			for j < len(src) && src[j] >= 0x20 && src[j] < del && (src[j] != ' ' || !line) {
				j++
			}
			if j > i {
				c.putRun(i, j)
				i = j
				continue
			}
		}
		start := i
		r, size := decodeRune(src, i)
		i += size
		raw := false // r does not spell src[start:i]
		if r == utf8.RuneError && size == 1 {
			raw = true
			if b := src[start]; b >= c1s && b <= c1e {
				r = rune(b) // a raw 8-bit C1 control such as 0x9B CSI
			}
		}

		// Transitions from any state, as in a terminal's parser.
		switch {
		case r == can || r == sub:
			st = ground
			continue
		case r == esc:
			st = escape
			continue
		case r >= c1s && r <= c1e:
			switch r {
			case 0x9b:
				st = csi
			case 0x9d:
				st = oscString
			case 0x90, 0x98, 0x9e, 0x9f: // DCS, SOS, PM, APC
				st = ctrlString
			case nel:
				st = ground
				c.newline(start, i, false)
			default: // ST ends a string; every other C1 control is dropped
				st = ground
			}
			continue
		}

		switch st {
		case escape:
			switch {
			case r == '[':
				st = csi
			case r == ']':
				st = oscString
			case r == 'P' || r == 'X' || r == '^' || r == '_':
				st = ctrlString
			case r >= 0x20 && r <= 0x2f:
				st = escInter
			case r >= 0x30 && r <= 0x7e: // final byte (SS2/SS3 are ESC N/O)
				st = ground
			case r < 0x20 || r == del: // executed by a terminal; dropped here
			default: // a non-ASCII rune ends the sequence and prints
				st = ground
				c.ground(r, start, i, raw)
			}
			continue
		case escInter:
			switch {
			case r >= 0x20 && r <= 0x2f:
			case r >= 0x30 && r <= 0x7e:
				st = ground
			case r < 0x20 || r == del:
			default:
				st = ground
				c.ground(r, start, i, raw)
			}
			continue
		case csi:
			switch {
			case r >= 0x20 && r <= 0x3f: // parameters and intermediates
			case r >= 0x40 && r <= 0x7e: // final byte
				st = ground
			case r < 0x20 || r == del:
			default:
				st = ground
				c.ground(r, start, i, raw)
			}
			continue
		case oscString:
			if r == bel {
				st = ground
			}
			continue
		case ctrlString:
			continue
		}
		c.ground(r, start, i, raw)
	}
	return c.finish()
}

// ground handles one rune outside any escape sequence; src[start:end] is
// its input, and raw says the rune was substituted for invalid bytes.
func (c *cleaner) ground(r rune, start, end int, raw bool) {
	switch {
	case r == '\n':
		if c.crlf {
			c.crlf = false
			return
		}
		c.newline(start, end, true)
	case r == '\r':
		c.newline(start, end, false)
		c.crlf = !c.line
	case r == '\t':
		if c.line {
			c.space()
			return
		}
		c.put(r, start, end, true)
	case r == ' ' && c.line:
		c.space()
	case r < 0x20 || r == del:
		// C0 controls other than newline and tab are dropped.
	case r < del:
		c.put(r, start, end, true)
	case r < 0x10000 && !bmpSpecial.has(r) && !(c.baseless() && bmpCombining.has(r)):
		// The common case for non-ASCII text, decided by two bit tests.
		if !raw && !c.copying && !c.pendingSpace && start == c.n { // put, inlined
			c.n, c.last, c.crlf = end, r, false
			return
		}
		c.put(r, start, end, !raw)
	case r == 0x2028 || r == 0x2029: // LINE and PARAGRAPH SEPARATOR
		c.newline(start, end, false)
	case r == 0x200c || r == 0x200d: // ZWNJ, ZWJ: emoji and scripts need them
		c.put(r, start, end, true)
	case r >= 0xe0020 && r <= 0xe007f:
		// Tag characters are invisible; they only belong in a subdivision
		// flag, U+1F3F4 followed by tags and ended by CANCEL TAG E007F.
		prev := c.last
		if c.pendingSpace {
			prev = ' '
		}
		if prev == 0x1f3f4 || (prev >= 0xe0020 && prev < 0xe007f) {
			c.put(r, start, end, true)
		}
	case isFormat(r):
		// Bidi controls, zero-width space, BOM, soft hyphen and other
		// invisible format characters are dropped.
	case c.baseless() && unicode.In(r, unicode.Mn, unicode.Me):
		// A combining mark with nothing to combine with would stack on
		// whatever cell precedes it on screen.
	default:
		if !raw && !c.copying && !c.pendingSpace && start == c.n { // put, inlined
			c.n, c.last, c.crlf = end, r, false
			return
		}
		c.put(r, start, end, !raw)
	}
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

// bitmap is a set of BMP code points.
type bitmap [0x10000 / 64]uint64

func (b *bitmap) has(r rune) bool { return b[r>>6]&(1<<(r&63)) != 0 }

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
	// paragraph separators and the format characters (Cf).
	bmpSpecial = func() *bitmap {
		b := new(bitmap)
		b.add(unicode.Cf, &unicode.RangeTable{R16: []unicode.Range16{
			{Lo: c1s, Hi: c1e, Stride: 1}, {Lo: 0x2028, Hi: 0x2029, Stride: 1}, {Lo: 0xfffd, Hi: 0xfffd, Stride: 1},
		}})
		return b
	}()
	// bmpCombining holds the BMP combining marks (Mn, Me).
	bmpCombining = func() *bitmap {
		b := new(bitmap)
		b.add(unicode.Mn, unicode.Me)
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

// baseless reports whether a combining mark written now would have no base
// character: at the start of the output or of a line, or after a tab.
func (c *cleaner) baseless() bool {
	return !c.pendingSpace && (c.last == 0 || c.last == '\n' || c.last == '\t')
}

// newline writes a line break, or a space in Line mode.
func (c *cleaner) newline(start, end int, verbatim bool) {
	if c.line {
		c.space()
		return
	}
	c.put('\n', start, end, verbatim)
}

// space records a space in Line mode; it is written only if more text
// follows, which both collapses runs and trims the ends.
func (c *cleaner) space() {
	if c.last != 0 {
		c.pendingSpace = true
	}
}

// put writes r, whose input was src[start:end]; verbatim says r spells
// exactly those bytes.
func (c *cleaner) put(r rune, start, end int, verbatim bool) {
	if c.pendingSpace {
		c.pendingSpace = false
		c.putSpace()
	}
	c.crlf = false
	c.last = r
	if !c.copying {
		if verbatim && start == c.n {
			c.n = end
			return
		}
		if verbatim && c.n == c.off {
			// Nothing written yet: skip the dropped prefix instead of
			// copying, so "\x1b[1mTitle" costs no allocation either.
			c.off, c.n = start, end
			return
		}
		c.startCopy()
	}
	c.b.WriteRune(r)
}

// putRun writes src[start:end], a run of printable ASCII.
func (c *cleaner) putRun(start, end int) {
	if c.pendingSpace {
		c.pendingSpace = false
		c.putSpace()
	}
	c.crlf = false
	c.last = rune(c.src[end-1])
	if !c.copying {
		switch {
		case start == c.n:
			c.n = end
			return
		case c.n == c.off:
			c.off, c.n = start, end
			return
		}
		c.startCopy()
	}
	c.b.WriteString(c.src[start:end])
}

// putSpace writes the one space a run of whitespace collapsed into.
func (c *cleaner) putSpace() {
	c.last = ' '
	if !c.copying {
		if c.n < len(c.src) && c.src[c.n] == ' ' {
			c.n++
			return
		}
		c.startCopy()
	}
	c.b.WriteByte(' ')
}

func (c *cleaner) startCopy() {
	c.copying = true
	c.b.Grow(len(c.src))
	c.b.WriteString(c.src[c.off:c.n])
}

func (c *cleaner) finish() string {
	if !c.copying {
		return c.src[c.off:c.n]
	}
	return c.b.String()
}
