package sanitize

import (
	"net"
	"net/url"
	"strings"

	"golang.org/x/net/idna"
)

// MaxHyperlinkURL is the longest URL, in bytes, that Hyperlink embeds in an
// OSC 8 sequence; terminals such as VTE ignore longer ones, so longer URLs
// are shown as plain text.
const MaxHyperlinkURL = 2048

// SafeURL reports whether raw is a URL pobox may link to or open: http or
// https (any case), a host, and no user information (which is how
// "https://bank.com@evil.example" misleads). It returns the URL in a normal
// form that is pure printable ASCII: lower-case scheme and host, an
// internationalised host in punycode, and every other byte outside
// printable ASCII percent-encoded. SafeURL is idempotent on its result.
func SafeURL(raw string) (string, bool) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 64<<10 {
		return "", false
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false
	}
	if u.User != nil || u.Opaque != "" {
		return "", false
	}
	host, ok := asciiHost(u.Hostname())
	if !ok {
		return "", false
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port := u.Port(); port != "" {
		host += ":" + port
	}
	u.Host = host
	return encodeASCII(u.String()), true
}

// asciiHost validates a host name or IP literal and returns it lower-case
// and, for an internationalised name, in punycode.
func asciiHost(h string) (string, bool) {
	if h == "" {
		return "", false
	}
	if strings.Contains(h, ":") { // IPv6 literal, brackets already removed
		ip := net.ParseIP(h)
		if ip == nil {
			return "", false
		}
		return ip.String(), true
	}
	if !isASCII(h) {
		a, err := idna.Lookup.ToASCII(h)
		if err != nil {
			return "", false
		}
		h = a
	}
	h = strings.ToLower(h)
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return "", false
		}
	}
	return h, true
}

// encodeASCII percent-encodes every byte of s outside printable ASCII, so
// the result can sit inside an escape sequence and on a command line.
func encodeASCII(s string) string {
	const hex = "0123456789ABCDEF"
	i := 0
	for i < len(s) && s[i] > 0x20 && s[i] < del {
		i++
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for ; i < len(s); i++ {
		if c := s[i]; c > 0x20 && c < del {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// Hyperlink returns text (sanitized with Line) as an OSC 8 hyperlink to
// rawURL when SafeURL accepts it, and as plain sanitized text otherwise.
// An empty text shows the URL itself. The URL is embedded byte for byte:
// an OSC 8 sequence puts its parameters before the second ';' only, so a
// ';' in the URI is legal (re-encoding it as %3B would change the URL for
// servers that tell them apart), and SafeURL's normal form holds no byte
// that could end the sequence (ESC, BEL, C1 ST: all percent-encoded).
func Hyperlink(rawURL, text string) string {
	return CurrentWidthMode().Hyperlink(rawURL, text)
}

// Hyperlink is the package's Hyperlink in mode m: the text is prepared
// with m.Line.
func (m WidthMode) Hyperlink(rawURL, text string) string {
	u, ok := SafeURL(rawURL)
	label := m.Line(text)
	if label == "" {
		if ok {
			label = u
		} else {
			label = m.Line(rawURL)
		}
	}
	if !ok {
		return label
	}
	return wrapOSC8(u, label)
}

// WrapHyperlink wraps rendered, which must already be safe (sanitized text,
// possibly styled by lipgloss), in an OSC 8 hyperlink to rawURL when
// SafeURL accepts it, and returns rendered unchanged otherwise. Use it to
// link text after styling it; Hyperlink is for unstyled text.
func WrapHyperlink(rawURL, rendered string) string {
	u, ok := SafeURL(rawURL)
	if !ok {
		return rendered
	}
	return wrapOSC8(u, rendered)
}

func wrapOSC8(safeURL, label string) string {
	if len(safeURL) > MaxHyperlinkURL {
		return label
	}
	return "\x1b]8;;" + safeURL + "\x1b\\" + label + "\x1b]8;;\x1b\\"
}
