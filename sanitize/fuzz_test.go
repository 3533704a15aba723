package sanitize

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/charmbracelet/x/ansi"
	"github.com/clipperhouse/uax29/v2/graphemes"
)

// The fuzz targets assert the invariants every view relies on. Their seed
// corpora (the table cases plus testdata/fuzz) run in every `go test`.

func addTextSeeds(f *testing.F) {
	for _, tc := range escapeCases {
		f.Add(tc.in)
	}
	for _, tc := range formatCases {
		f.Add(tc.in)
	}
	f.Add("see https://example.com/a_(b). and http://x.io\n")
}

func FuzzText(f *testing.F) {
	addTextSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		out := Text(s)
		assertSafe(t, out, false)
		if again := Text(out); again != out {
			t.Fatalf("Text not idempotent: %q -> %q -> %q", s, out, again)
		}
		line := Line(s)
		assertSafe(t, line, true)
		if again := Line(line); again != line {
			t.Fatalf("Line not idempotent: %q -> %q -> %q", s, line, again)
		}
		if strings.Contains(line, "  ") || strings.HasPrefix(line, " ") || strings.HasSuffix(line, " ") {
			t.Fatalf("Line(%q) = %q has a run of spaces or untrimmed ends", s, line)
		}
		checkMarks(t, out)
		checkMarks(t, line)
		checkCodepointText(t, s)
		if cl := Codepoint.Line(s); Codepoint.Line(cl) != cl || strings.Contains(cl, "  ") {
			t.Fatalf("Codepoint.Line(%q) = %q is not a clean line", s, cl)
		}
		spans := Linkify(s)
		if PlainText(spans) != out {
			t.Fatalf("Linkify(%q) text %q != Text %q", s, PlainText(spans), out)
		}
		for _, sp := range spans {
			assertSafe(t, sp.Text, false)
			if sp.Href != "" {
				if u, ok := SafeURL(sp.Href); !ok || u != sp.Href {
					t.Fatalf("Linkify(%q) href %q is not safe", s, sp.Href)
				}
			}
		}
	})
}

func FuzzTruncate(f *testing.F) {
	for _, tc := range escapeCases {
		f.Add(tc.in, 3, "…")
	}
	for _, tc := range formatCases {
		f.Add(tc.in, 1, "")
	}
	for _, tc := range widthCases {
		f.Add(tc.in, tc.cpWidth-1, "…")
	}
	f.Add("日本語テキスト", 5, "…")
	f.Add("👨\u200d👩\u200d👧👍🏽🇩🇪e\u0301", 4, "...")
	f.Add("❤\ufe0f❤\ufe0f🇫🇷🇩 क्\u200dष \u1100\u1161a\u1161", 7, "❤\ufe0f")
	f.Fuzz(func(t *testing.T, s string, n int, tail string) {
		n %= 300
		for _, m := range []WidthMode{Grapheme, Codepoint} {
			checkTruncate(t, m, s, n, tail)
		}
		if Truncate(s, n, tail) != Grapheme.Truncate(s, n, tail) {
			t.Fatalf("Truncate is not Grapheme.Truncate by default")
		}
	})
}

// checkTruncate asserts what every column relies on: m.Truncate never
// exceeds the width as m counts it (in Codepoint mode neither as tmux
// nor as lipgloss count it), gives a clean line, is idempotent, keeps
// text that fits and is otherwise a prefix on a cluster boundary plus
// the tail.
func checkTruncate(t *testing.T, m WidthMode, s string, n int, tail string) {
	t.Helper()
	out := m.Truncate(s, n, tail)
	if w := m.Width(out); w > max(n, 0) {
		t.Fatalf("%v.Truncate(%q, %d, %q) = %q is %d cells", m, s, n, tail, out, w)
	}
	if m == Codepoint {
		if w := wcwidth(out); w > max(n, 0) {
			t.Fatalf("Codepoint.Truncate(%q, %d, %q) = %q is %d cells to tmux", s, n, tail, out, w)
		}
		if w := ansi.StringWidth(out); w > max(n, 0) {
			t.Fatalf("Codepoint.Truncate(%q, %d, %q) = %q is %d cells to lipgloss", s, n, tail, out, w)
		}
	}
	assertSafe(t, out, true)
	if m.Line(out) != out {
		t.Fatalf("%v.Truncate(%q, %d, %q) = %q is not a clean line", m, s, n, tail, out)
	}
	if again := m.Truncate(out, n, tail); again != out {
		t.Fatalf("%v.Truncate not idempotent: %q -> %q", m, out, again)
	}
	ls, lt := m.Line(s), m.Line(tail)
	if n <= 0 {
		if out != "" {
			t.Fatalf("%v.Truncate(%q, %d) = %q, want empty", m, s, n, out)
		}
		return
	}
	if m.Width(ls) <= n {
		if out != ls {
			t.Fatalf("%v.Truncate(%q, %d) = %q cut text that fits", m, s, n, out)
		}
		return
	}
	if m.Width(lt) > n {
		lt = ""
	}
	cut, ok := strings.CutSuffix(out, lt)
	if !ok || !strings.HasPrefix(ls, cut) {
		t.Fatalf("%v.Truncate(%q, %d, %q) = %q is not a prefix plus tail", m, s, n, tail, out)
	}
	if !onBoundary(ls, len(cut)) {
		t.Fatalf("%v.Truncate(%q, %d) = %q splits a grapheme cluster", m, s, n, out)
	}
}

// TestTruncateRandom runs checkTruncate on random mixes of the pieces
// that have broken layouts: emoji and their sequences, flags, skin tones,
// variation selectors, combining stacks, CJK, Hangul jamo, Indic
// conjuncts, escapes and ASCII.
func TestTruncateRandom(t *testing.T) {
	pieces := []string{"a", "Z", " ", "  ", "日", "本", "👍", "👩", "💻", "\u200d", "\u200c", "🏽",
		"\ufe0f", "\ufe0e", "❤", "☺", "🇫", "🇷", "🏴", "\U000E0067", "\U000E007F", "\u0301", "\u0334",
		"\u20e3", "1", "\u1100", "\u1161", "\u11a8", "한", "क", "\u094d", "\u093e", "ष", "\u0e17",
		"\u0e48", "\U0001FAE8", "☰", "\x1b[31m", "\x1b]0;x\x07", "\n", "\t", "\u3164", "…", "\ufffd"}
	rnd := rand.New(rand.NewPCG(1, 2))
	iterations := 3000
	if testing.Short() || raceEnabled {
		iterations = 300
	}
	for range iterations {
		var b strings.Builder
		for range rnd.IntN(24) {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		s := b.String()
		tail := []string{"", "…", "...", "👍🏽"}[rnd.IntN(4)]
		n := rnd.IntN(20)
		for _, m := range []WidthMode{Grapheme, Codepoint} {
			checkTruncate(t, m, s, n, tail)
		}
		checkCodepointText(t, s)
	}
}

// checkCodepointText asserts the normal form of Codepoint mode: nothing
// left that tmux and lipgloss count apart (ZWJ, VS15/16, skin tones), and
// no cluster that lipgloss counts wider than tmux.
func checkCodepointText(t *testing.T, s string) {
	t.Helper()
	out := Codepoint.Text(s)
	if strings.ContainsAny(out, "\u200d\ufe0e\ufe0f\U0001F3FB\U0001F3FC\U0001F3FD\U0001F3FE\U0001F3FF") {
		t.Fatalf("Codepoint.Text(%q) = %+q keeps a joiner, selector or modifier", s, out)
	}
	if again := Codepoint.Text(out); again != out {
		t.Fatalf("Codepoint.Text not idempotent: %+q -> %+q", out, again)
	}
	for _, line := range strings.Split(out, "\n") {
		g := graphemes.FromString(line)
		for g.Next() {
			c := g.Value()
			if lg, cw := ansi.StringWidth(c), Codepoint.Width(c); lg > cw {
				t.Fatalf("Codepoint.Text(%q): cluster %+q is %d cells to lipgloss, %d to tmux", s, c, lg, cw)
			}
		}
		if lg, cw := ansi.StringWidth(line), Codepoint.Width(line); lg > cw {
			t.Fatalf("Codepoint.Text(%q): line %+q is %d cells to lipgloss, %d to tmux", s, line, lg, cw)
		}
	}
}

// checkMarks asserts that no base character of s carries more than
// MaxMarks combining marks.
func checkMarks(t *testing.T, s string) {
	t.Helper()
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc):
			if n++; n > MaxMarks {
				t.Fatalf("%+q stacks more than %d marks", s, MaxMarks)
			}
		case r == 0x200c || r == 0x200d || r >= 0xe0020 && r <= 0xe007f:
		default:
			n = 0
		}
	}
}

func FuzzCut(f *testing.F) {
	for _, tc := range widthCases {
		f.Add("\x1b[1m"+tc.in+"\x1b[0m", tc.cpWidth-1)
	}
	f.Add("\x1b]8;;https://x.io/a;b\x1b\\link\x1b]8;;\x1b\\ 日本 \x1b[31mred\x1b[m", 7)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 300
		// A frame line is made of sanitized text and the escape
		// sequences lipgloss writes around it.
		line := "\x1b[1m" + Text(strings.ReplaceAll(s, "\n", " ")) + "\x1b]8;;https://x.io/\x1b\\" +
			Codepoint.Line(s) + "\x1b]8;;\x1b\\\x1b[0m"
		for _, m := range []WidthMode{Grapheme, Codepoint} {
			out := m.Cut(line, n)
			if w := m.Width(out); w > max(n, 0) {
				t.Fatalf("%v.Cut(%q, %d) = %q is %d cells", m, line, n, out, w)
			}
			if m == Codepoint && wcwidth(ansi.Strip(out)) > max(n, 0) {
				t.Fatalf("Codepoint.Cut(%q, %d) = %q is wider to tmux", line, n, out)
			}
			if !strings.HasPrefix(ansi.Strip(line), ansi.Strip(out)) {
				t.Fatalf("%v.Cut(%q, %d) = %q is not a prefix", m, line, n, out)
			}
			if !strings.HasSuffix(out, "\x1b]8;;\x1b\\\x1b[0m") {
				t.Fatalf("%v.Cut(%q, %d) = %q lost the closing sequences", m, line, n, out)
			}
			if m.Width(line) <= n && out != line {
				t.Fatalf("%v.Cut(%q, %d) = %q cut a line that fits", m, line, n, out)
			}
		}
	})
}

// onBoundary reports whether offset i of s is a grapheme cluster boundary.
func onBoundary(s string, i int) bool {
	if i == 0 || i == len(s) {
		return true
	}
	g := graphemes.FromString(s)
	for g.Next() {
		if g.End() == i {
			return true
		}
		if g.End() > i {
			return false
		}
	}
	return false
}

func FuzzHTML(f *testing.F) {
	addTextSeeds(f)
	f.Add(`<b>b<i>bi</b>i</i><font color="#F00">r</font><a href="https://x.io">x</a><br>&#27;[31m`)
	f.Add(`<a href="javascript:alert(1)">j</a><script>x</script><plaintext><b>`)
	f.Add(`<ul><li><a href="https://evil.example/">https://bank.example/</a><li>b<ol><li>c</ol></ul><p>p</p><div>d</div>`)
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range []WidthMode{Grapheme, Codepoint} {
			spans := m.HTML(s)
			checkSpans(t, spans)
			text := PlainText(spans)
			assertSafe(t, text, false)
			if strings.HasPrefix(text, "\n") && !strings.HasPrefix(Text(s), "\n") && !strings.Contains(s, "<br") {
				t.Fatalf("%v.HTML(%q) starts with a blank line: %q", m, s, text)
			}
			checkMarks(t, text)
			seen := map[string]bool{}
			for _, l := range m.Links(s, true, "https://u.example/", "title") {
				if u, ok := SafeURL(l.URL); !ok || u != l.URL || seen[l.URL] {
					t.Fatalf("%v.Links(%q) lists %q, not safe or twice", m, s, l.URL)
				}
				seen[l.URL] = true
				if l.Text == "" || m.Line(l.Text) != l.Text {
					t.Fatalf("%v.Links(%q) text %q is not a clean line", m, s, l.Text)
				}
				if l.HostHint != LinkHost(l.Text, l.URL) {
					t.Fatalf("%v.Links(%q) hint %q", m, s, l.HostHint)
				}
			}
		}
	})
}

func FuzzURL(f *testing.F) {
	f.Add("https://example.com/a;b?c=d#e")
	f.Add("HTTP://Bücher.example:80/ä b")
	f.Add("http://[::1]:8080/\x1b]0;x\x07")
	f.Add("javascript:alert(1)")
	f.Fuzz(func(t *testing.T, raw string) {
		u, ok := SafeURL(raw)
		if !ok {
			if u != "" {
				t.Fatalf("SafeURL(%q) rejected but returned %q", raw, u)
			}
			return
		}
		if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			t.Fatalf("SafeURL(%q) = %q has another scheme", raw, u)
		}
		for i := 0; i < len(u); i++ {
			if u[i] <= 0x20 || u[i] >= 0x7f {
				t.Fatalf("SafeURL(%q) = %q holds byte %#x", raw, u, u[i])
			}
		}
		if again, ok := SafeURL(u); !ok || again != u {
			t.Fatalf("SafeURL not idempotent: %q -> %q -> %q, %v", raw, u, again, ok)
		}
		if p, err := url.Parse(u); err != nil || hrefHost(u) != p.Hostname() {
			t.Fatalf("hrefHost(%q) = %q, net/url says %q (%v)", u, hrefHost(u), p.Hostname(), err)
		}
		link := Hyperlink(raw, "x")
		if len(u) <= MaxHyperlinkURL {
			want := "\x1b]8;;" + u + "\x1b\\x\x1b]8;;\x1b\\"
			if link != want {
				t.Fatalf("Hyperlink(%q) = %q, want %q", raw, link, want)
			}
		}
	})
}

// TestHostileSizesRunInLinearTime feeds long adversarial inputs; each takes
// milliseconds, while a quadratic path (as Linkify once had for
// "http://http://...") takes minutes and trips the bound.
func TestHostileSizesRunInLinearTime(t *testing.T) {
	const n = 50000
	inputs := map[string]string{
		"Schemes":       strings.Repeat("http://", n),
		"ClosingParens": "http://a.io/" + strings.Repeat(")", n),
		"Escapes":       strings.Repeat("\x1b[", n),
		"CRLF":          strings.Repeat("\r\n", n),
		"Combining":     "a" + strings.Repeat("\u0301", n),
		"Flags":         strings.Repeat("🇩", n+1),
		"ZWJ":           strings.Repeat("👍\u200d", n),
		"Tags":          "🏴" + strings.Repeat("\U000E0067", n),
		"OpenTags":      strings.Repeat("<b><font color=red><a href=https://a.io>x", n/10),
		"Blocks":        strings.Repeat("<ul><li><p><div>", n/10),
		"Indicators":    strings.Repeat("🇩\x1b[m", n),
		"Selectors":     strings.Repeat("❤\ufe0f\u200d", n),
		"Jamo":          strings.Repeat("\u1161", n),
	}
	for name, s := range inputs {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			Text(s)
			Line(s)
			Linkify(s)
			Truncate(s, 80, "…")
			HTML(s)
			SafeURL(s)
			Codepoint.Text(s)
			Codepoint.Truncate(s, 80, "…")
			Codepoint.Cut(s, 80)
			Grapheme.Cut(s, 80)
			Links(s, true, s, s)
			Links(s, false, s, s)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}
