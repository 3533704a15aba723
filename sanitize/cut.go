package sanitize

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Cut returns the styled line s (text with SGR and OSC 8 sequences, as
// lipgloss renders it) cut to at most width cells in the process-wide
// width mode. Every escape sequence is kept, also those after the cut,
// so styles and hyperlinks opened before it are still closed. Use it on
// each line of the frame in place of ansi.Truncate(line, width, ""); s
// itself comes back when it fits.
func Cut(s string, width int) string {
	return CurrentWidthMode().Cut(s, width)
}

// Cut is the package's Cut in mode m. In Grapheme mode it is
// ansi.Truncate(s, width, ""), which Bubble Tea applies to every line
// too. In Codepoint mode it counts every code point, as tmux does: a
// frame line cut by it never wraps in tmux, even where a layout measured
// by lipgloss was wider than lipgloss thought. Marks stay with the
// character they belong to: after the cut no printable rune is kept.
func (m WidthMode) Cut(s string, width int) string {
	width = max(width, 0)
	if !m.codepoint() {
		return ansi.Truncate(s, width, "")
	}
	w, cut := 0, -1
	for i := 0; i < len(s) && cut < 0; {
		c := s[i]
		var cw, size int
		switch {
		case c == esc:
			i = skipEscape(s, i)
			continue
		case c < 0x80:
			size = 1
			if c >= 0x20 && c < del {
				cw = 1
			}
		default:
			var r rune
			r, size = decodeRune(s, i)
			cw = cpWidth(r)
		}
		if w+cw > width {
			cut = i
			break
		}
		w += cw
		i += size
	}
	if cut < 0 {
		return s
	}
	// A joiner left at the end would join whatever the terminal prints
	// next into the last cell (tmux 3.3 does).
	keep := s[:cut]
	for strings.HasSuffix(keep, "\u200d") {
		keep = keep[:len(keep)-len("\u200d")]
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(keep)
	for i := cut; i < len(s); {
		if s[i] != esc {
			i++
			continue
		}
		j := skipEscape(s, i)
		b.WriteString(s[i:j])
		i = j
	}
	return b.String()
}
