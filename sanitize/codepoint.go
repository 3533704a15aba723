package sanitize

import (
	"sort"
	"unicode"
)

// Codepoint mode: widths as tmux and GNU screen count them, one code point
// at a time with the C library's wcwidth, and the rules that normalise
// text so that every such terminal, old or new, draws it as wide as pobox
// counts it. TestTmuxWidths and TestScreenWidths check them against a
// real tmux and GNU screen.

// cpWidth is the width tmux gives r: wcwidth as glibc defines it (and
// displaywidth per rune agrees with it but for the cases below), every
// code point on its own. Where terminals disagree (characters whose
// width changed between Unicode versions) it gives the wider count, so a
// line measured with it never overflows.
func cpWidth(r rune) int {
	switch {
	case r < 0x7f:
		if r < 0x20 {
			return 0
		}
		return 1
	case isJamoV(r) || isJamoT(r):
		return 0 // medial vowels and final consonants join the initial's cell
	case isRegional(r):
		return 1
	case r == 0xad, r >= 0x600 && r <= 0x605, r == 0x6dd, r == 0x70f,
		r == 0x890, r == 0x891, r == 0x8e2, r == 0x110bd, r == 0x110cd:
		return 1 // format characters glibc draws (removed by Text anyway)
	case r >= 0x2630 && r <= 0x324f && inRanges(widthChanged, r),
		r >= 0x1d300 && r <= 0x1d376 && inRanges(widthChanged, r):
		return 2
	}
	return dw.Rune(r)
}

// cpStringWidth is Width in Codepoint mode; escape sequences count zero.
func cpStringWidth(s string) int {
	w := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == esc:
			i = skipEscape(s, i)
		case c < 0x80:
			if c >= 0x20 && c < del {
				w++
			}
			i++
		default:
			r, size := decodeRune(s, i)
			w += cpWidth(r)
			i += size
		}
	}
	return w
}

// skipEscape returns the end of the escape sequence that starts with the
// ESC at s[i]: CSI, OSC (ended by BEL or ST), DCS, SOS, PM and APC (ended
// by ST) or a two-byte escape, as in styled lines from lipgloss.
func skipEscape(s string, i int) int {
	i++
	if i >= len(s) {
		return i
	}
	switch c := s[i]; {
	case c == '[':
		i++
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x3f {
			i++
		}
		if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
			i++
		}
		return i
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		for i++; i < len(s); i++ {
			if s[i] == bel && c == ']' {
				return i + 1
			}
			if s[i] == esc && i+1 < len(s) && s[i+1] == '\\' {
				return i + 2
			}
		}
		return i
	case c >= 0x20 && c <= 0x2f:
		for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
			i++
		}
		if i < len(s) {
			i++
		}
		return i
	}
	return i + 1
}

func isRegional(r rune) bool { return r >= 0x1f1e6 && r <= 0x1f1ff }

func isEmojiModifier(r rune) bool { return r >= 0x1f3fb && r <= 0x1f3ff }

// Hangul conjoining jamo: initial consonants (L), medial vowels (V) and
// final consonants (T); U+115F and U+1160 are fillers, removed by Text.
func isJamoL(r rune) bool {
	return r >= 0x1100 && r <= 0x115f || r >= 0xa960 && r <= 0xa97c
}

func isJamoV(r rune) bool {
	return r >= 0x1160 && r <= 0x11a7 || r >= 0xd7b0 && r <= 0xd7c6
}

func isJamoT(r rune) bool {
	return r >= 0x11a8 && r <= 0x11ff || r >= 0xd7cb && r <= 0xd7fb
}

func isSyllable(r rune) bool { return r >= 0xac00 && r <= 0xd7a3 }

// jamoJoins reports whether the vowel or final consonant r continues the
// syllable that prev ends, as the grapheme rules (GB6-GB8) join them; a
// jamo that joins nothing is a cell of its own to lipgloss and no cell at
// all to tmux.
func jamoJoins(prev, r rune) bool {
	if isJamoV(r) {
		return isJamoL(prev) || isJamoV(prev) || isSyllable(prev) && (prev-0xac00)%28 == 0
	}
	return isJamoV(prev) || isJamoT(prev) || isSyllable(prev)
}

// rng is an inclusive range of code points.
type rng struct{ lo, hi rune }

func inRanges(t []rng, r rune) bool {
	i := sort.Search(len(t), func(i int) bool { return t[i].hi >= r })
	return i < len(t) && t[i].lo <= r
}

// widthChanged are characters whose East Asian Width changed in Unicode
// 15.1 and 16.0: older C libraries (glibc 2.36 among them) count them as
// one cell, newer ones and lipgloss as two, or the other way round.
var widthChanged = []rng{
	{0x2630, 0x2637},   // trigrams (U+2630 is the "hamburger" ☰)
	{0x268a, 0x268f},   // monograms and digrams
	{0x3248, 0x324f},   // circled numbers on black squares
	{0x1d300, 0x1d356}, // Tai Xuan Jing symbols
	{0x1d360, 0x1d376}, // counting rod numerals
}

// unicode15 are the characters Unicode 15.0 added, which the C library of
// Debian 12 and Ubuntu 22.04 (glibc 2.35-2.37, Unicode 14) does not know:
// tmux there drops them without advancing the cursor, while lipgloss
// counts one or two cells. Derived by comparing Go's Unicode 15.0 tables
// with glibc 2.36's wcwidth, which returns -1 for exactly these.
var unicode15 = []rng{
	{0xcf3, 0xcf3}, {0xece, 0xece}, {0x10efd, 0x10eff}, {0x1123f, 0x11241},
	{0x11b00, 0x11b09}, {0x11f00, 0x11f10}, {0x11f12, 0x11f3a}, {0x11f3e, 0x11f59},
	{0x1342f, 0x1342f}, {0x13440, 0x13455}, {0x1b132, 0x1b132}, {0x1b155, 0x1b155},
	{0x1d2c0, 0x1d2d3}, {0x1df25, 0x1df2a}, {0x1e030, 0x1e06d}, {0x1e08f, 0x1e08f},
	{0x1e4d0, 0x1e4f9}, {0x1f6dc, 0x1f6dc}, {0x1f774, 0x1f776}, {0x1f77b, 0x1f77f},
	{0x1f7d9, 0x1f7d9}, {0x1fa75, 0x1fa77}, {0x1fa87, 0x1fa88}, {0x1faad, 0x1faaf},
	{0x1fabb, 0x1fabd}, {0x1fabf, 0x1fabf}, {0x1face, 0x1facf}, {0x1fada, 0x1fadb},
	{0x1fae8, 0x1fae8}, {0x1faf7, 0x1faf8}, {0x2b739, 0x2b739}, {0x31350, 0x323af},
}

// assigned holds every code point Go's Unicode tables assign; the others
// (newer characters among them) are unknown to every C library this
// package can count on. unicode.C is no help: it holds unassigned code
// points too.
var assigned = []*unicode.RangeTable{unicode.L, unicode.M, unicode.N, unicode.P,
	unicode.S, unicode.Z, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs}

var (
	// bmpUnshown holds the BMP code points that Codepoint mode replaces
	// with U+FFFD: unassigned, added in Unicode 15.0, or of changed width.
	bmpUnshown = func() *bitmap {
		b := new(bitmap)
		b.add(assigned...)
		for i := range b {
			b[i] = ^b[i]
		}
		for _, t := range [][]rng{unicode15, widthChanged} {
			for _, x := range t {
				for r := x.lo; r <= x.hi && r < 0x10000; r++ {
					b.set(r)
				}
			}
		}
		return b
	}()
	// bmpSpecialCP is bmpSpecial for Codepoint mode: plus bmpUnshown and
	// the runes codepointRule handles (variation selectors 15 and 16,
	// medial and final jamo).
	bmpSpecialCP = func() *bitmap {
		b := new(bitmap)
		for i := range b {
			b[i] = bmpSpecial[i] | bmpUnshown[i]
		}
		for _, x := range []rng{{0xfe0e, 0xfe0f}, {0x1160, 0x11ff}, {0xd7b0, 0xd7fb}} {
			for r := x.lo; r <= x.hi; r++ {
				b.set(r)
			}
		}
		return b
	}()
	// unshown32 is bmpUnshown above the BMP, as sorted disjoint ranges.
	unshown32 = func() []rng {
		var known []rng
		for _, t := range assigned {
			for _, rg := range t.R32 {
				if rg.Stride == 1 {
					known = append(known, rng{rune(rg.Lo), rune(rg.Hi)})
					continue
				}
				for r := rune(rg.Lo); r <= rune(rg.Hi); r += rune(rg.Stride) {
					known = append(known, rng{r, r})
				}
			}
		}
		known = mergeRanges(known)
		var out []rng
		next := rune(0x10000)
		for _, k := range known {
			if k.lo > next {
				out = append(out, rng{next, k.lo - 1})
			}
			next = max(next, k.hi+1)
		}
		if next <= unicode.MaxRune {
			out = append(out, rng{next, unicode.MaxRune})
		}
		for _, x := range append(unicode15[:len(unicode15):len(unicode15)], widthChanged...) {
			if x.lo >= 0x10000 {
				out = append(out, x)
			}
		}
		return mergeRanges(out)
	}()
)

// mergeRanges sorts t and merges overlapping and adjacent ranges.
func mergeRanges(t []rng) []rng {
	sort.Slice(t, func(i, j int) bool { return t[i].lo < t[j].lo })
	out := t[:0]
	for _, x := range t {
		if n := len(out); n > 0 && out[n-1].hi >= x.lo-1 {
			out[n-1].hi = max(out[n-1].hi, x.hi)
			continue
		}
		out = append(out, x)
	}
	return out
}

// unshown reports whether Codepoint mode replaces r with U+FFFD, because
// terminals cannot agree on its width.
func unshown(r rune) bool {
	if r < 0x10000 {
		return bmpUnshown.has(r)
	}
	return inRanges(unshown32, r)
}

// codepointRule applies the rules of Codepoint mode to the rune r that
// ground is about to write (src[start:end]) and reports whether it dealt
// with it. The rules make every grapheme cluster of the output exactly
// as wide to lipgloss as the sum of its code points' widths, or, for
// scripts whose clusters hold several cells (Devanagari conjuncts and
// vowel signs), no wider:
//
//   - ZWJ is removed: tmux 3.3 and later draw the character after a ZWJ in
//     the same cell, older tmux and screen do not; without it an emoji
//     sequence shows as its parts, which every terminal counts alike.
//   - Variation selectors 15 and 16 are removed: lipgloss widens a
//     character followed by VS16 to two cells, tmux does not.
//   - Emoji modifiers (skin tones) are removed: lipgloss counts them as
//     part of the emoji, tmux as two more cells.
//   - A regional indicator that is not half of a pair becomes U+FFFD (a
//     pair, a flag, is two cells everywhere; a lone one is one or two).
//   - A Hangul vowel or final consonant jamo that joins no syllable
//     becomes U+FFFD (tmux gives it no cell, lipgloss one).
//   - Characters unknown to older C libraries (unassigned, or added in
//     Unicode 15.0) or whose width changed between versions become
//     U+FFFD, one cell everywhere.
func (c *cleaner) codepointRule(r rune, start, end int) bool {
	prev := c.last
	if c.pendingSpace {
		prev = ' '
	}
	switch {
	case r == 0xfe0e || r == 0xfe0f || isEmojiModifier(r):
		return true
	case isRegional(r):
		if isRegional(prev) && c.riOpen {
			c.riOpen = false
			return false
		}
		// The first of a pair: the next input rune must be its partner.
		if s := c.src; end+4 <= len(s) && s[end] == 0xf0 && s[end+1] == 0x9f &&
			s[end+2] == 0x87 && s[end+3] >= 0xa6 && s[end+3] <= 0xbf {
			c.riOpen = true
			return false
		}
		c.put(0xfffd, start, end, false)
		return true
	case isJamoV(r) || isJamoT(r):
		if jamoJoins(prev, r) {
			return false
		}
		c.put(0xfffd, start, end, false)
		return true
	case unshown(r):
		c.put(0xfffd, start, end, false)
		return true
	}
	return false
}
