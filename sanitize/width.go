package sanitize

import (
	"os"
	"strconv"

	"github.com/charmbracelet/x/ansi"
	"github.com/clipperhouse/displaywidth"
)

// dw measures one grapheme cluster the way charmbracelet/x/ansi does,
// including its RUNEWIDTH_EASTASIAN switch for ambiguous-width runes.
var dw = displaywidth.Options{EastAsianWidth: eastAsian()}

func eastAsian() bool {
	ea, err := strconv.ParseBool(os.Getenv("RUNEWIDTH_EASTASIAN"))
	return err == nil && ea
}

// Width returns the number of terminal cells s occupies in the
// process-wide width mode. Pass sanitized one-line text, possibly styled:
// escape sequences count as zero cells, and so do newlines and tabs
// (lipgloss expands tabs itself when it renders).
func Width(s string) int {
	return CurrentWidthMode().Width(s)
}

// Width is the package's Width in mode m. In Grapheme mode it measures
// per grapheme cluster exactly as lipgloss measures it (charmbracelet/x/ansi
// StringWidth), so that layouts built from it never break; in Codepoint
// mode it sums the width of every code point, as tmux does.
func (m WidthMode) Width(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= del {
			if m.codepoint() {
				return cpStringWidth(s)
			}
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// Truncate returns Line(s) cut to at most width cells, with tail appended
// when anything was cut, in the process-wide width mode. It never splits
// a grapheme cluster (emoji, ZWJ sequences, flags, a letter and its
// combining marks), never exceeds width, and trims the spaces left before
// the tail. The tail is sanitized with Line too; a tail wider than width
// is left out. Truncate(s, w, "…") is the way to fit untrusted text into
// a column.
func Truncate(s string, width int, tail string) string {
	return CurrentWidthMode().Truncate(s, width, tail)
}

// Truncate is the package's Truncate in mode m: m.Line(s) cut to at most
// width cells as m counts them.
func (m WidthMode) Truncate(s string, width int, tail string) string {
	if width <= 0 {
		return ""
	}
	s = m.Line(s)
	ascii := isASCII(s) // and printable, as s is clean
	if ascii && len(s) <= width {
		return s
	}
	cp := m.codepoint()
	var cuts [maxQuickTail + 1]int
	if !ascii && fit(s, width, &cuts, cp) {
		return s
	}
	tail = m.Line(tail)
	tw := m.Width(tail)
	if tw > width {
		tail, tw = "", 0
	}
	var cut int
	switch {
	case ascii:
		cut = width - tw
	case tw <= maxQuickTail:
		cut = cuts[tw]
	default:
		fit(s, width-tw, &cuts, cp)
		cut = cuts[0]
	}
	// Drop the spaces before the tail. A space after a non-ASCII rune may
	// belong to its cluster (a prepended mark), and fit never cuts after a
	// lone space there, so only spaces after ASCII are trimmed.
	for cut > 0 && s[cut-1] == ' ' && (cut == 1 || s[cut-2] < 0x80) {
		cut--
	}
	return s[:cut] + tail
}

// maxQuickTail is the widest tail whose cut fit records in its first pass.
const maxQuickTail = 3

// fit walks the grapheme clusters of the clean line s and reports whether
// s fits in width cells. cuts[k] receives the end of the longest prefix
// that fits in width-k cells and ends on a cluster boundary.
//
// In Grapheme mode cluster widths follow charmbracelet/x/ansi
// StringWidth, which lipgloss uses: an ASCII byte is one cell even when
// combining marks follow it (they are measured on their own), any other
// cluster is measured by displaywidth. In Codepoint mode a cluster is as
// wide as its code points together.
func fit(s string, width int, cuts *[maxQuickTail + 1]int, cp bool) bool {
	*cuts = [maxQuickTail + 1]int{}
	used, i := 0, 0
	// Two ASCII bytes in a row (no CR in a clean line) always have a
	// cluster boundary between them, so the ASCII start needs no segmenter.
	for i < len(s) && s[i] < 0x80 && (i+1 == len(s) || s[i+1] < 0x80) {
		i++
	}
	used = i
	if used > width {
		for k := range cuts {
			cuts[k] = max(width-k, 0)
		}
		return false
	}
	for k := range cuts {
		cuts[k] = max(min(i, width-k), 0)
	}
	g := dw.StringGraphemes(s[i:])
	for g.Next() {
		c := g.Value()
		switch {
		case len(c) == 1:
			used++
		case cp:
			used += cpClusterWidth(c)
		case c[0] < 0x80: // ASCII then extenders: ansi measures them apart
			used += 1 + ansi.StringWidth(c[1:])
		default:
			used += g.Width()
		}
		i += len(c)
		if used > width {
			return false
		}
		if c == " " {
			continue // Truncate would trim it; see there
		}
		for k := range cuts {
			if used <= width-k {
				cuts[k] = i
			}
		}
	}
	return true
}

// cpClusterWidth is the width of the grapheme cluster c in Codepoint mode:
// that of its code points together.
func cpClusterWidth(c string) int {
	w := 0
	for j := 0; j < len(c); {
		r, size := decodeRune(c, j)
		w += cpWidth(r)
		j += size
	}
	return w
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
