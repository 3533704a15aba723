package sanitize

import (
	"strings"
	"testing"
)

func TestSafeURL(t *testing.T) {
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"HTTPS", "https://example.com/path?q=1#frag", "https://example.com/path?q=1#frag", true},
		{"HTTP", "http://example.com", "http://example.com", true},
		{"UpperScheme", "HTTPS://Example.COM/A", "https://example.com/A", true},
		{"Port", "https://example.com:8443/x", "https://example.com:8443/x", true},
		{"IPv4", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/", true},
		{"IPv6", "http://[::1]:8080/", "http://[::1]:8080/", true},
		{"Spaces", " https://example.com/a b?c=d e ", "https://example.com/a%20b?c=d%20e", true},
		{"IDN", "https://bücher.example/ä", "https://xn--bcher-kva.example/%C3%A4", true},
		{"BidiInQuery", "https://example.com/?q=\u202Eevil", "https://example.com/?q=%E2%80%AEevil", true},
		{"Semicolon", "https://example.com/a;b", "https://example.com/a;b", true},
		{"SemicolonsEverywhere", "https://example.com/a;b?x=1;y=2#f;g", "https://example.com/a;b?x=1;y=2#f;g", true},
		{"Javascript", "javascript:alert(1)", "", false},
		{"JavascriptUpper", "JaVaScRiPt:alert(1)", "", false},
		{"Data", "data:text/html,<script>", "", false},
		{"File", "file:///etc/passwd", "", false},
		{"FTP", "ftp://example.com", "", false},
		{"NoHost", "https:///path", "", false},
		{"Opaque", "https:example.com", "", false},
		{"Relative", "/path", "", false},
		{"UserInfo", "https://bank.com@evil.example/", "", false},
		{"Backslash", "https://evil.example\\@bank.com/", "", false},
		{"ESC", "https://example.com/\x1b]0;x\x07", "", false},
		{"BEL", "https://example.com/\x07", "", false},
		{"Newline", "https://example.com/\nx", "", false},
		{"C1", "https://example.com/\u009b31m", "https://example.com/%C2%9B31m", true},
		{"BadHostChars", "https://exa!mple.com/", "", false},
		{"BadIDN", "https://\u202Eexample.com/", "", false},
		{"Empty", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := SafeURL(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("SafeURL(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
			if !ok {
				return
			}
			if again, ok2 := SafeURL(got); again != got || !ok2 {
				t.Errorf("SafeURL not idempotent: %q -> %q, %v", got, again, ok2)
			}
			for i := 0; i < len(got); i++ {
				if got[i] <= 0x20 || got[i] >= 0x7f {
					t.Errorf("SafeURL(%q) = %q holds byte %#x", tc.in, got, got[i])
				}
			}
		})
	}
}

func TestHyperlink(t *testing.T) {
	tests := []struct {
		name, url, text, want string
	}{
		{"Safe", "https://example.com", "Example", "\x1b]8;;https://example.com\x1b\\Example\x1b]8;;\x1b\\"},
		{"SemicolonKept", "https://example.com/a;b?x=1;y=2", "x", "\x1b]8;;https://example.com/a;b?x=1;y=2\x1b\\x\x1b]8;;\x1b\\"},
		{"EncodedSemicolonKept", "https://example.com/a%3Bb", "x", "\x1b]8;;https://example.com/a%3Bb\x1b\\x\x1b]8;;\x1b\\"},
		{"EmptyTextShowsURL", "https://example.com", "", "\x1b]8;;https://example.com\x1b\\https://example.com\x1b]8;;\x1b\\"},
		{"TextSanitized", "https://example.com", "a\x1b]8;;https://evil\x1b\\b", "\x1b]8;;https://example.com\x1b\\ab\x1b]8;;\x1b\\"},
		{"Unsafe", "javascript:alert(1)", "click", "click"},
		{"UnsafeEmptyText", "javascript:alert(1)\x1b[2J", "", "javascript:alert(1)"},
		{"TooLong", "https://example.com/" + strings.Repeat("a", MaxHyperlinkURL), "long", "long"},
		{"InjectionInURL", "https://example.com/\x1b\\\x1b]52;c;eA==\x07", "x", "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Hyperlink(tc.url, tc.text); got != tc.want {
				t.Errorf("Hyperlink(%q, %q) = %q, want %q", tc.url, tc.text, got, tc.want)
			}
		})
	}
}

func TestHyperlinkCodepoint(t *testing.T) {
	if got, want := Codepoint.Hyperlink("https://e.com", "👩\u200d💻"), "\x1b]8;;https://e.com\x1b\\👩💻\x1b]8;;\x1b\\"; got != want {
		t.Errorf("Codepoint.Hyperlink = %q, want %q", got, want)
	}
}

func TestWrapHyperlink(t *testing.T) {
	styled := "\x1b[4mlink\x1b[0m"
	if got, want := WrapHyperlink("https://e.com", styled), "\x1b]8;;https://e.com\x1b\\"+styled+"\x1b]8;;\x1b\\"; got != want {
		t.Errorf("WrapHyperlink = %q, want %q", got, want)
	}
	if got := WrapHyperlink("vbscript:x", styled); got != styled {
		t.Errorf("WrapHyperlink of an unsafe URL = %q, want the input", got)
	}
}

func TestLinkify(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Span
	}{
		{"None", "no links here", []Span{{Text: "no links here"}}},
		{"Empty", "", nil},
		{"Only", "https://example.com", []Span{{Text: "https://example.com", Href: "https://example.com"}}},
		{"Sentence", "See https://example.com/a. Then", []Span{
			{Text: "See "}, {Text: "https://example.com/a", Href: "https://example.com/a"}, {Text: ". Then"}}},
		{"Parens", "(http://x.io/a_(b))", []Span{
			{Text: "("}, {Text: "http://x.io/a_(b)", Href: "http://x.io/a_(b)"}, {Text: ")"}}},
		{"Two", "http://a.io\nhttps://b.io", []Span{
			{Text: "http://a.io", Href: "http://a.io"}, {Text: "\n"}, {Text: "https://b.io", Href: "https://b.io"}}},
		{"NotAtWordStart", "xhttps://a.io", []Span{{Text: "xhttps://a.io"}}},
		{"SchemeOnly", "http:// nothing", []Span{{Text: "http:// nothing"}}},
		{"Sanitized", "go \x1b[1mhttps://a.io\x1b[0m now", []Span{
			{Text: "go "}, {Text: "https://a.io", Href: "https://a.io"}, {Text: " now"}}},
		{"Angle", "<https://a.io/x>", []Span{{Text: "<"}, {Text: "https://a.io/x", Href: "https://a.io/x"}, {Text: ">"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Linkify(tc.in)
			if !equalSpans(got, tc.want) {
				t.Errorf("Linkify(%q) =\n%+v\nwant\n%+v", tc.in, got, tc.want)
			}
			if PlainText(got) != Text(tc.in) {
				t.Errorf("Linkify text %q != Text %q", PlainText(got), Text(tc.in))
			}
		})
	}
}

func equalSpans(a, b []Span) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestSemicolonURLSurvives follows a URL with semicolons through every
// path that can put it in an OSC 8 sequence: its bytes must arrive as sent.
func TestSemicolonURLSurvives(t *testing.T) {
	const u = "https://example.com/a;b?x=1;y=2"
	osc := "\x1b]8;;" + u + "\x1b\\"
	if got, ok := SafeURL(u); !ok || got != u {
		t.Errorf("SafeURL = %q, %v", got, ok)
	}
	if got := Hyperlink(u, "t"); !strings.HasPrefix(got, osc) {
		t.Errorf("Hyperlink = %q", got)
	}
	if got := WrapHyperlink(u, "t"); !strings.HasPrefix(got, osc) {
		t.Errorf("WrapHyperlink = %q", got)
	}
	if sp := Linkify("see " + u + " now"); len(sp) != 3 || sp[1].Href != u || sp[1].Text != u {
		t.Errorf("Linkify = %+v", sp)
	}
	if sp := HTML(`<a href="` + u + `">t</a>`); len(sp) != 1 || sp[0].Href != u {
		t.Errorf("HTML = %+v", sp)
	}
}
