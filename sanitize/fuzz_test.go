package sanitize

import (
	"strings"
	"testing"
	"time"

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
	f.Add("日本語テキスト", 5, "…")
	f.Add("👨\u200d👩\u200d👧👍🏽🇩🇪e\u0301", 4, "...")
	f.Fuzz(func(t *testing.T, s string, n int, tail string) {
		n %= 300
		out := Truncate(s, n, tail)
		if w := Width(out); w > max(n, 0) {
			t.Fatalf("Truncate(%q, %d, %q) = %q is %d cells", s, n, tail, out, w)
		}
		assertSafe(t, out, true)
		if Line(out) != out {
			t.Fatalf("Truncate(%q, %d, %q) = %q is not a clean line", s, n, tail, out)
		}
		if again := Truncate(out, n, tail); again != out {
			t.Fatalf("Truncate not idempotent: %q -> %q", out, again)
		}
		ls, lt := Line(s), Line(tail)
		if n <= 0 {
			if out != "" {
				t.Fatalf("Truncate(%q, %d) = %q, want empty", s, n, out)
			}
			return
		}
		if Width(ls) <= n {
			if out != ls {
				t.Fatalf("Truncate(%q, %d) = %q cut text that fits", s, n, out)
			}
			return
		}
		if Width(lt) > n {
			lt = ""
		}
		cut, ok := strings.CutSuffix(out, lt)
		if !ok || !strings.HasPrefix(ls, cut) {
			t.Fatalf("Truncate(%q, %d, %q) = %q is not a prefix plus tail", s, n, tail, out)
		}
		if !onBoundary(ls, len(cut)) {
			t.Fatalf("Truncate(%q, %d) = %q splits a grapheme cluster", s, n, out)
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
	f.Fuzz(func(t *testing.T, s string) {
		spans := HTML(s)
		checkSpans(t, spans)
		assertSafe(t, PlainText(spans), false)
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
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}
