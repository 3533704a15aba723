package sanitize

import (
	"net/url"
	"strings"
	"testing"
)

func TestLinkHost(t *testing.T) {
	tests := []struct {
		name, text, href, want string
	}{
		{"Phishing", "https://bank.example/login", "https://evil.example/", "evil.example"},
		{"SameURL", "https://bank.example/login", "https://bank.example/login", ""},
		{"SameHostOtherPath", "https://bank.example/", "https://bank.example/login?x=1", ""},
		{"HostOnly", "bank.example", "https://bank.example/", ""},
		{"HostAndPath", "bank.example/login", "https://bank.example/login", ""},
		{"UpperCaseText", "HTTPS://BANK.EXAMPLE/", "https://bank.example/", ""},
		{"HTTPText", "http://bank.example", "https://bank.example/", ""},
		{"PortIgnored", "bank.example:8443", "https://bank.example:8443/", ""},
		{"OtherSubdomainInText", "bank.example.evil.example", "https://evil.example/", "evil.example"},
		{"OtherSubdomainInHref", "https://bank.example/", "https://bank.example.evil.example/", "bank.example.evil.example"},
		{"WWWDiffers", "www.bank.example", "https://bank.example/", "bank.example"},
		{"IDNText", "bücher.example", "https://xn--bcher-kva.example/", "xn--bcher-kva.example"},
		{"PunycodeText", "xn--bcher-kva.example", "https://xn--bcher-kva.example/", ""},
		{"HomographText", "b\u0430nk.example", "https://xn--bnk-8cd.example/", "xn--bnk-8cd.example"},
		{"ClickHere", "click here", "https://evil.example/x", "evil.example"},
		{"Empty", "", "https://evil.example/", "evil.example"},
		{"UserInfo", "https://bank.example@evil.example/", "https://evil.example/", "evil.example"},
		{"Backslash", "bank.example\\evil.example", "https://evil.example/", "evil.example"},
		{"TextWithSpaces", "  https://bank.example/  ", "https://bank.example/", ""},
		{"Sentence", "visit bank.example", "https://bank.example/", "bank.example"},
		{"IPv6", "[::1]:8080", "http://[::1]:8080/", ""},
		{"IPv4", "127.0.0.1", "http://127.0.0.1:8080/", ""},
		{"NoHref", "x", "", ""},
		{"NotAURL", "x", "evil.example", ""},
		{"HrefPortAndQuery", "a.example", "https://a.example:8080?q=1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LinkHost(tc.text, tc.href); got != tc.want {
				t.Errorf("LinkHost(%q, %q) = %q, want %q", tc.text, tc.href, got, tc.want)
			}
		})
	}
}

func TestLinkifyHostHint(t *testing.T) {
	spans := Linkify("see https://Bücher.example/a and HTTPS://EXAMPLE.COM/x")
	var hints []string
	for _, sp := range spans {
		if sp.Href != "" {
			hints = append(hints, sp.HostHint)
		}
	}
	if strings.Join(hints, ",") != "xn--bcher-kva.example," {
		t.Errorf("Linkify host hints = %q", hints)
	}
}

func TestLinks(t *testing.T) {
	tests := []struct {
		name          string
		body          string
		html          bool
		url, urlTitle string
		want          []Link
	}{
		{"None", "no links", false, "", "", nil},
		{"URLFieldFirst", "see https://b.example/x", false, "https://a.example/", "Dashboard", []Link{
			{Text: "Dashboard", URL: "https://a.example/", HostHint: "a.example"},
			{Text: "https://b.example/x", URL: "https://b.example/x"}}},
		{"URLFieldWithoutTitle", "", false, "https://a.example/", "", []Link{
			{Text: "https://a.example/", URL: "https://a.example/"}}},
		{"URLFieldUnsafe", "", false, "javascript:alert(1)", "x", nil},
		{"Deduplicated", "https://a.example/ and https://a.example/ and http://c.example", false, "https://a.example/", "A", []Link{
			{Text: "A", URL: "https://a.example/", HostHint: "a.example"},
			{Text: "http://c.example", URL: "http://c.example"}}},
		{"HTMLAnchors", `<a href="https://evil.example/">https://bank.example/</a> <a href="javascript:x">j</a>` +
			`<a href="https://img.example/"><img src=x></a><a name=n>n</a><a href="https://t.example/"><b>two</b> words</a>`, true, "", "", []Link{
			{Text: "https://bank.example/", URL: "https://evil.example/", HostHint: "evil.example"},
			{Text: "https://img.example/", URL: "https://img.example/"},
			{Text: "two words", URL: "https://t.example/", HostHint: "t.example"}}},
		{"HTMLIgnoresBareURLs", `text https://bare.example/ <b>x</b>`, true, "", "", nil},
		{"HTMLBlocksInAnchor", `<a href="https://a.example/"><p>one</p><p>two</p></a>`, true, "", "", []Link{
			{Text: "one two", URL: "https://a.example/", HostHint: "a.example"}}},
		{"HTMLTextSanitized", `<a href="https://a.example/">a&#27;]0;x&#7;b</a>`, true, "", "", []Link{
			{Text: "ab", URL: "https://a.example/", HostHint: "a.example"}}},
		{"PlainBodyTagsAreText", `<a href="https://a.example/">x</a>`, false, "", "", []Link{
			{Text: "https://a.example/", URL: "https://a.example/"}}},
		{"SemicolonsKept", "https://example.com/a;b?x=1;y=2", false, "", "", []Link{
			{Text: "https://example.com/a;b?x=1;y=2", URL: "https://example.com/a;b?x=1;y=2"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Links(tc.body, tc.html, tc.url, tc.urlTitle)
			if len(got) != len(tc.want) {
				t.Fatalf("Links = %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("link %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestLinksCodepoint(t *testing.T) {
	got := Codepoint.Links(`<a href="https://a.example/">👩&#x200d;💻</a>`, true, "", "")
	if len(got) != 1 || got[0].Text != "👩💻" {
		t.Errorf("Codepoint.Links = %+v", got)
	}
}

// TestHrefHost checks the cheap host parser against net/url on SafeURL's
// normal forms.
func TestHrefHost(t *testing.T) {
	for _, raw := range []string{"https://a.example/", "http://A.Example:8080/x?y#z", "https://[::1]:8443/p",
		"http://127.0.0.1", "https://xn--bcher-kva.example/%C3%A4", "https://a.example?q=x:y", "https://a.example#f:g",
		"https://a.example/a;b?x=1;y=2"} {
		u, ok := SafeURL(raw)
		if !ok {
			t.Fatalf("SafeURL(%q) failed", raw)
		}
		want, _ := url.Parse(u)
		if got := hrefHost(u); got != want.Hostname() {
			t.Errorf("hrefHost(%q) = %q, net/url says %q", u, got, want.Hostname())
		}
	}
}
