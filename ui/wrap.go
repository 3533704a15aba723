package ui

import (
	"strings"

	"github.com/rivo/uniseg"

	"pobox/sanitize"
)

// frag is a piece of one wrapped line: sanitized text without newlines or
// tabs, and the formatting of the span it came from. hint marks the host
// shown beside a link whose text does not show where it leads.
type frag struct {
	text string
	span sanitize.Span // Text and HostHint unused
	hint bool
}

// wrapSpans lays sanitized spans out in lines of at most width cells, as
// mode counts them. With reflow, words wrap at spaces (a word wider than
// the line is cut); without it (monospace bodies) the layout is kept:
// lines break only at newlines and at the pane's edge, and tabs expand to
// stops of 8. A span carrying a HostHint is followed by the hint, once,
// after its last fragment (the hint is on the last span of a link).
func wrapSpans(mode sanitize.WidthMode, spans []sanitize.Span, width int, reflow bool) [][]frag {
	w := wrapper{mode: mode, width: max(width, 1), reflow: reflow}
	w.lines = append(w.lines, nil)
	for _, sp := range spans {
		hint := sp.HostHint
		sp.HostHint = ""
		for i, part := range strings.Split(sp.Text, "\n") {
			if i > 0 {
				w.newline(false)
			}
			if reflow {
				w.words(part, sp, false)
			} else {
				w.verbatim(part, sp, false)
			}
		}
		if hint != "" {
			w.hintAfter(hint)
		}
	}
	return w.lines
}

// hintAfter lays out the host beside a link: " [evil.example]", wrapped
// as a word of its own.
func (w *wrapper) hintAfter(host string) {
	text := "[" + host + "]"
	if w.used > 0 && w.used < w.width {
		w.add(" ", 1, sanitize.Span{}, true)
	}
	if w.reflow {
		w.words(text, sanitize.Span{}, true)
	} else {
		w.verbatim(text, sanitize.Span{}, true)
	}
}

type wrapper struct {
	mode   sanitize.WidthMode
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
func (w *wrapper) add(text string, n int, sp sanitize.Span, hint bool) {
	last := &w.lines[len(w.lines)-1]
	if k := len(*last); k > 0 && (*last)[k-1].hint == hint && sameFormat((*last)[k-1].span, sp) {
		(*last)[k-1].text += text
	} else {
		f := sp
		f.Text, f.HostHint = "", ""
		*last = append(*last, frag{text: text, span: f, hint: hint})
	}
	w.used += n
}

// words lays out one newline-free part of a span with word wrapping.
func (w *wrapper) words(s string, sp sanitize.Span, hint bool) {
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
				w.add(tok[:n], n, sp, hint)
			}
			continue
		}
		w.soft = false
		n := w.mode.Width(tok)
		if w.used+n > w.width && w.used > 0 && n <= w.width {
			w.trimTrailingSpace()
			w.newline(true)
			w.soft = false
		}
		w.cut(tok, n, sp, hint)
	}
}

// verbatim lays out one line of a monospace body, breaking only at the
// edge.
func (w *wrapper) verbatim(s string, sp sanitize.Span, hint bool) {
	if strings.IndexByte(s, '\t') >= 0 {
		s = expandTabs(w.mode, s, w.used)
	}
	w.cut(s, w.mode.Width(s), sp, hint)
}

// cut adds tok (n cells), breaking it at the edge as often as needed.
func (w *wrapper) cut(tok string, n int, sp sanitize.Span, hint bool) {
	for tok != "" {
		room := w.width - w.used
		if n <= room {
			w.add(tok, n, sp, hint)
			return
		}
		if room == 0 {
			w.newline(true)
			w.soft = false
			continue
		}
		i, hw := fitPrefix(w.mode, tok, room)
		if i == 0 {
			if w.used > 0 {
				w.newline(true)
				w.soft = false
				continue
			}
			// A cluster wider than the whole line (a wide character in a
			// one-cell pane) can never fit: show a stand-in.
			c, _, _, _ := uniseg.FirstGraphemeClusterInString(tok, -1)
			w.add("?", 1, sp, hint)
			tok = tok[len(c):]
			n -= w.mode.Width(c)
			continue
		}
		w.add(tok[:i], hw, sp, hint)
		tok = tok[i:]
		n -= hw
		if tok != "" {
			w.newline(true)
			w.soft = false
		}
	}
}

// fitPrefix returns the length in bytes and the width (as mode counts it)
// of the longest prefix of s, ending on a grapheme cluster boundary, that
// fits in room cells.
func fitPrefix(mode sanitize.WidthMode, s string, room int) (int, int) {
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
		cw := mode.Width(c)
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
func expandTabs(mode sanitize.WidthMode, s string, col int) string {
	var b strings.Builder
	for s != "" {
		i := strings.IndexByte(s, '\t')
		if i < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:i])
		col += mode.Width(s[:i])
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
