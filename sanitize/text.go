package sanitize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text returns s with every escape sequence and control character removed
// except newline and tab, carriage returns turned into newlines, invisible
// format characters (bidi controls among them) and fillers removed,
// stacked combining marks cut and invalid UTF-8 replaced by U+FFFD, in
// the process-wide width mode. See the package documentation for the
// exact policy. Text is idempotent and returns s itself when s is already
// clean.
func Text(s string) string {
	if asciiClean(s, false) {
		return s
	}
	return clean(s, false, CurrentWidthMode().codepoint())
}

// Line is Text for one-line contexts such as list rows and the status bar:
// newlines, carriage returns and tabs become spaces, runs of spaces collapse
// to one and leading and trailing spaces are trimmed. Line is idempotent and
// returns s itself when s is already clean.
func Line(s string) string {
	if asciiClean(s, true) {
		return s
	}
	return clean(s, true, CurrentWidthMode().codepoint())
}

// Text is the package's Text in mode m: in Codepoint mode the text is
// also normalised for terminals that count code points (see the package
// documentation).
func (m WidthMode) Text(s string) string {
	if asciiClean(s, false) {
		return s
	}
	return clean(s, false, m.codepoint())
}

// Line is the package's Line in mode m.
func (m WidthMode) Line(s string) string {
	if asciiClean(s, true) {
		return s
	}
	return clean(s, true, m.codepoint())
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
	cp           bool // Codepoint mode: apply codepointRule
	riOpen       bool // Codepoint mode: the last rune written is the first of a flag
	b            strings.Builder
	copying      bool
	off, n       int   // while !copying, the output is src[off:n]
	last         rune  // last rune written, 0 when nothing was written
	marks        uint8 // combining marks written since the last base character
	pendingSpace bool  // Line: write one space before the next rune
	crlf         bool  // Text: a CR just became LF, so swallow a following LF
}

// clean is the slow path of Text and Line: one pass of the state machine.
func clean(src string, line, cp bool) string {
	c := cleaner{src: src, line: line, cp: cp}
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
	case r < 0x10000 && !c.special().has(r):
		// The common case for non-ASCII text, decided by bit tests.
		marks := uint8(0)
		if bmpMarks.has(r) {
			if !c.mark(bmpCombining.has(r)) {
				return
			}
			marks = c.marks + 1
		}
		if !raw && !c.copying && !c.pendingSpace && start == c.n { // put, inlined
			c.n, c.last, c.crlf, c.marks = end, r, false, marks
			return
		}
		c.put(r, start, end, !raw)
		c.marks = marks
	case r == 0x2028 || r == 0x2029: // LINE and PARAGRAPH SEPARATOR
		c.newline(start, end, false)
	case r == 0x200c || r == 0x200d: // ZWNJ, ZWJ: emoji and scripts need them
		if r == 0x200d && c.cp {
			return // see codepointRule
		}
		c.putTransparent(r, start, end)
	case r >= 0xe0020 && r <= 0xe007f:
		// Tag characters are invisible; they only belong in a subdivision
		// flag, U+1F3F4 followed by tags and ended by CANCEL TAG E007F.
		prev := c.last
		if c.pendingSpace {
			prev = ' '
		}
		if prev == 0x1f3f4 || (prev >= 0xe0020 && prev < 0xe007f) {
			c.putTransparent(r, start, end)
		}
	case isFormat(r):
		// Bidi controls, zero-width space, BOM, soft hyphen and other
		// invisible format characters are dropped.
	case isFiller(r):
		// Blank letters: a title made of them looks empty.
	case c.cp && c.codepointRule(r, start, end):
	default:
		marks := uint8(0)
		if isMark(r) {
			if !c.mark(unicode.In(r, unicode.Mn, unicode.Me)) {
				return
			}
			marks = c.marks + 1
		}
		if !raw && !c.copying && !c.pendingSpace && start == c.n { // put, inlined
			c.n, c.last, c.crlf, c.marks = end, r, false, marks
			return
		}
		c.put(r, start, end, !raw)
		c.marks = marks
	}
}

// special returns the set of BMP runes that leave ground's fast path.
func (c *cleaner) special() *bitmap {
	if c.cp {
		return bmpSpecialCP
	}
	return bmpSpecial
}

// MaxMarks is the most combining marks (Unicode categories Mn, Me and Mc)
// that Text and Line keep on one base character; further ones are
// removed. Four is what living orthographies need at most (pointed
// Hebrew with a cantillation mark, Vietnamese, Thai, Devanagari and
// Tibetan stacks need two to four), while "Zalgo" text stacks dozens
// that spill over the rows above and below.
const MaxMarks = 4

// mark reports whether a combining mark may be written now; nonspacing
// says it is Mn or Me, which must not be written with no base character:
// it would stack on whatever cell precedes it on screen.
func (c *cleaner) mark(nonspacing bool) bool {
	if c.pendingSpace { // the space is its base
		c.marks = 0
		return true
	}
	if nonspacing && c.baseless() {
		return false
	}
	return c.marks < MaxMarks
}

// putTransparent writes a joiner or a tag character, which leaves the
// count of combining marks on the current base as it is: "a", ZWJ and a
// mark, repeated, must not escape the limit.
func (c *cleaner) putTransparent(r rune, start, end int) {
	m := c.marks
	if c.pendingSpace {
		m = 0
	}
	c.put(r, start, end, true)
	c.marks = m
}

// fillers are characters that are not format characters (Cf) but draw
// nothing, or a blank cell, while counting as letters or symbols: they let
// a sender write a title that looks empty, pad a name with invisible
// "letters" or fake spacing. Only those with no use in running text are
// listed; real spaces (Zs) stay.
var fillers = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x034f, Hi: 0x034f, Stride: 1}, // COMBINING GRAPHEME JOINER: invisible, default-ignorable
		{Lo: 0x115f, Hi: 0x1160, Stride: 1}, // HANGUL CHOSEONG and JUNGSEONG FILLER
		{Lo: 0x17b4, Hi: 0x17b5, Stride: 1}, // KHMER VOWEL INHERENT AQ, AA: invisible, deprecated
		{Lo: 0x2800, Hi: 0x2800, Stride: 1}, // BRAILLE PATTERN BLANK: a blank cell that is not a space
		{Lo: 0x3164, Hi: 0x3164, Stride: 1}, // HANGUL FILLER
		{Lo: 0xffa0, Hi: 0xffa0, Stride: 1}, // HALFWIDTH HANGUL FILLER
	},
	R32: []unicode.Range32{
		{Lo: 0x16fe4, Hi: 0x16fe4, Stride: 1}, // KHITAN SMALL SCRIPT FILLER
	},
}

// isFiller reports whether r is one of the fillers; the only one above the
// BMP is U+16FE4.
func isFiller(r rune) bool {
	if r < 0x10000 {
		return unicode.Is(fillers, r)
	}
	return r == 0x16fe4
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
	c.marks = 0
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
	c.marks = 0
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
	c.marks = 0
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
