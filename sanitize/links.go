package sanitize

import "strings"

// LinkHost returns the host a link leads to, for the UI to show beside
// its visible text, or "" when the text already shows exactly that host:
// when it is the URL, or an address ("bank.example/login",
// "https://bank.example"), on that very host written as the link's
// normal form writes it. href is a URL as SafeURL returns it (host
// lower-case, punycode for international names); LinkHost returns "" for
// anything else.
//
// So "https://bank.example/login" linking to evil.example gives
// "evil.example"; "bank.example.evil.example" linking to bank.example
// gives "bank.example", and the reverse gives the long name; "click here"
// gives the host; "bücher.example" linking to its own address gives the
// punycode form "xn--bcher-kva.example", which a look-alike letter cannot
// hide in; a text with user information ("bank.example@evil.example")
// never counts as showing a host. The port is not part of the host.
func LinkHost(text, href string) string {
	host := hrefHost(href)
	if host == "" {
		return ""
	}
	if shown, ok := textHost(text); ok && shown == host {
		return ""
	}
	return host
}

// hrefHost returns the host name of a URL in SafeURL's normal form
// (scheme, "://", no user information), without its port or brackets.
// Cheaper than url.Parse, which HTML would pay for every link.
func hrefHost(href string) string {
	_, rest, ok := strings.Cut(href, "://")
	if !ok {
		return ""
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if strings.HasPrefix(rest, "[") {
		if end := strings.IndexByte(rest, ']'); end > 0 {
			return rest[1:end]
		}
		return ""
	}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// textHost returns the host that text, an address with or without its
// scheme, shows to a reader, lower-cased but otherwise as written. It
// need not be a valid host: LinkHost only compares it with one, so text
// with user information, spaces or other words never matches.
func textHost(text string) (string, bool) {
	t := strings.TrimSpace(text)
	for _, scheme := range []string{"https://", "http://"} {
		if hasPrefixFold(t, scheme) {
			t = t[len(scheme):]
			break
		}
	}
	if i := strings.IndexAny(t, "/?#"); i >= 0 {
		t = t[:i]
	}
	if strings.HasPrefix(t, "[") { // an IPv6 literal
		end := strings.IndexByte(t, ']')
		if end < 0 || (end+1 < len(t) && !isPort(t[end+1:])) {
			return "", false
		}
		return strings.ToLower(t[1:end]), true
	}
	if i := strings.LastIndexByte(t, ':'); i >= 0 {
		if !isPort(t[i:]) {
			return "", false
		}
		t = t[:i]
	}
	return strings.ToLower(t), t != ""
}

// isPort reports whether s is ":" and digits.
func isPort(s string) bool {
	if len(s) < 2 || s[0] != ':' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Link is one link of a message, for a picker of links.
type Link struct {
	// Text is the link's visible text as one sanitized line (Line), or
	// the URL itself when the link shows none.
	Text string
	// URL is the address as SafeURL returns it: http or https only.
	URL string
	// HostHint is LinkHost(Text, URL): the host to show beside Text when
	// Text does not show it.
	HostHint string
}

// Links lists every link of a message in the process-wide width mode:
// first the message's supplementary URL (url, titled urlTitle), then the
// links of the body in order: the <a href> of an HTML body (html set,
// images and other invisible links included), or the URLs that Linkify
// finds in a plain body. Only URLs SafeURL accepts are listed, each once,
// under its first text.
func Links(body string, html bool, url, urlTitle string) []Link {
	return CurrentWidthMode().Links(body, html, url, urlTitle)
}

// Links is the package's Links in mode m.
func (m WidthMode) Links(body string, html bool, rawURL, urlTitle string) []Link {
	var links []Link
	seen := map[string]bool{}
	add := func(u, text string) {
		if u == "" || seen[u] {
			return
		}
		seen[u] = true
		text = m.Line(text)
		if text == "" {
			text = u
		}
		links = append(links, Link{Text: text, URL: u, HostHint: LinkHost(text, u)})
	}
	if u, ok := SafeURL(rawURL); ok {
		add(u, urlTitle)
	}
	if html {
		r := htmlRenderer{mode: m, collect: true}
		r.render(body)
		for _, a := range r.anchors {
			add(a.href, string(a.text))
		}
		return links
	}
	for _, sp := range m.Linkify(body) {
		if sp.Href != "" {
			add(sp.Href, sp.Text)
		}
	}
	return links
}
