package ui

import (
	"strings"

	"github.com/rivo/uniseg"

	"pobox/sanitize"
)

// frag is a piece of one wrapped line: sanitized text without newlines or
// tabs, and the formatting of the span it came from.
type frag struct {
	text string
	span sanitize.Span // Text unused
}

// wrapSpans lays sanitized spans out in lines of at most width cells.
// With reflow, words wrap at spaces (a word wider than the line is cut);
// without it (monospace bodies) the layout is kept: lines break only at
// newlines and at the pane's edge, and tabs expand to stops of 8. Widths
// are measured per grapheme cluster, as lipgloss measures them.
func wrapSpans(spans []sanitize.Span, width int, reflow bool) [][]frag {
	w := wrapper{width: max(width, 1), reflow: reflow}
	w.lines = append(w.lines, nil)
	for _, sp := range spans {
		for i, part := range strings.Split(sp.Text, "\n") {
			if i > 0 {
				w.newline(false)
			}
			if reflow {
				w.words(part, sp)
			} else {
				w.verbatim(part, sp)
			}
		}
	}
	return w.lines
}

type wrapper struct {
	width  int
	reflow bool
	lines  [][]frag
	used   int  // cells used on the last line
	soft   bool // the last line began by wrapping: skip leading spaces
}

func (w *wrapper) newline(soft bool) {
	w.lines = append(w.lines, nil)
	w.used, w.soft = 0, soft
}

// add appends text of n cells to the last line, merging with the previous
// fragment when the formatting is the same.
func (w *wrapper) add(text string, n int, sp sanitize.Span) {
	last := &w.lines[len(w.lines)-1]
	if k := len(*last); k > 0 && sameFormat((*last)[k-1].span, sp) {
		(*last)[k-1].text += text
	} else {
		f := sp
		f.Text = ""
		*last = append(*last, frag{text: text, span: f})
	}
	w.used += n
}

// words lays out one newline-free part of a span with word wrapping.
func (w *wrapper) words(s string, sp sanitize.Span) {
	s = strings.ReplaceAll(s, "\t", " ")
	for s != "" {
		// Next token: a run of spaces or a run of anything else.
		i := 0
		space := s[0] == ' '
		for i < len(s) && (s[i] == ' ') == space {
			i++
		}
		tok := s[:i]
		s = s[i:]
		if space {
			if w.used == 0 && w.soft {
				continue
			}
			n := min(len(tok), w.width-w.used)
			if n > 0 {
				w.add(tok[:n], n, sp)
			}
			continue
		}
		w.soft = false
		n := sanitize.Width(tok)
		if w.used+n > w.width && w.used > 0 && n <= w.width {
			w.trimTrailingSpace()
			w.newline(true)
			w.soft = false
		}
		w.cut(tok, n, sp)
	}
}

// verbatim lays out one line of a monospace body, breaking only at the
// edge.
func (w *wrapper) verbatim(s string, sp sanitize.Span) {
	if strings.IndexByte(s, '\t') >= 0 {
		s = expandTabs(s, w.used)
	}
	w.cut(s, sanitize.Width(s), sp)
}

// cut adds tok (n cells), breaking it at the edge as often as needed.
func (w *wrapper) cut(tok string, n int, sp sanitize.Span) {
	for tok != "" {
		room := w.width - w.used
		if n <= room {
			w.add(tok, n, sp)
			return
		}
		if room == 0 {
			w.newline(true)
			w.soft = false
			continue
		}
		i, hw := fitPrefix(tok, room)
		if i == 0 {
			if w.used > 0 {
				w.newline(true)
				w.soft = false
				continue
			}
			// A cluster wider than the whole line (a wide character in a
			// one-cell pane) can never fit: show a stand-in.
			c, _, _, _ := uniseg.FirstGraphemeClusterInString(tok, -1)
			w.add("?", 1, sp)
			tok = tok[len(c):]
			n -= sanitize.Width(c)
			continue
		}
		w.add(tok[:i], hw, sp)
		tok = tok[i:]
		n -= hw
		if tok != "" {
			w.newline(true)
			w.soft = false
		}
	}
}

// fitPrefix returns the length in bytes and the width of the longest
// prefix of s, ending on a grapheme cluster boundary, that fits in room
// cells.
func fitPrefix(s string, room int) (int, int) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		n := min(room, len(s))
		return n, n
	}
	i, used, state := 0, 0, -1
	for i < len(s) {
		c, _, _, st := uniseg.FirstGraphemeClusterInString(s[i:], state)
		cw := sanitize.Width(c)
		if used+cw > room {
			break
		}
		used += cw
		i += len(c)
		state = st
	}
	return i, used
}

func (w *wrapper) trimTrailingSpace() {
	last := w.lines[len(w.lines)-1]
	for k := len(last) - 1; k >= 0; k-- {
		t := strings.TrimRight(last[k].text, " ")
		w.used -= len(last[k].text) - len(t)
		last[k].text = t
		if t != "" {
			break
		}
		last = last[:k]
	}
	w.lines[len(w.lines)-1] = last
}

// expandTabs replaces tabs with spaces up to the next stop of 8 cells,
// counting from col.
func expandTabs(s string, col int) string {
	var b strings.Builder
	for s != "" {
		i := strings.IndexByte(s, '\t')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		col += sanitize.Width(s[:i])
		n := 8 - col%8
		b.WriteString(strings.Repeat(" ", n))
		col += n
		s = s[i+1:]
	}
	return b.String()
}

func sameFormat(a, b sanitize.Span) bool {
	return a.Bold == b.Bold && a.Italic == b.Italic && a.Underline == b.Underline &&
		a.Color == b.Color && a.Href == b.Href
}
