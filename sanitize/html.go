package sanitize

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// Span is a run of text with the formatting the Pushover HTML subset can
// express. It carries no styling of its own: the UI maps each attribute to
// a style of its theme. Text is sanitized as by Text (no control character
// but newline and tab); Color is "" or a validated "#rrggbb"; Href is "" or
// a URL accepted and normalised by SafeURL.
//
// HostHint is set on the last span of a link (a run of spans with the same
// Href) whose visible text does not show exactly the host the link leads
// to, as LinkHost decides: the UI shows it beside the link, so that
// "https://bank.example/" pointing at evil.example cannot pass for the
// bank. It is "" on every other span.
type Span struct {
	Text      string
	Bold      bool
	Italic    bool
	Underline bool
	Color     string
	Href      string
	HostHint  string
}

// format is the formatting of a span without its text.
type format struct {
	bold, italic, underline bool
	color, href             string
}

func (s Span) format() format {
	return format{s.Bold, s.Italic, s.Underline, s.Color, s.Href}
}

// HTML renders a Pushover html=1 body into spans. It tokenizes with
// golang.org/x/net/html and honours only <b>, <i>, <u>, <font color>,
// <a href> and <br>, and the line structure of blocks: <p>, <div>,
// <h1>-<h6>, <blockquote>, <pre>, <table>, <tr> and <hr> start and end
// a line, and every <li> of <ul> or <ol> is a line of its own that starts
// with "• " or its number (nested lists indented by two spaces a level).
// Blocks never leave blank lines, however deeply nested, and the white
// space between them in the source does not count. Every other tag is
// dropped and its text kept, except the contents of <script> and
// <style>. Entities are decoded before the text is sanitized, so
// "&#27;[31m" cannot smuggle an escape. Malformed markup never fails:
// unclosed tags last to the end, stray end tags are ignored. Adjacent
// spans never share the same formatting. Text is prepared in the
// process-wide width mode.
func HTML(s string) []Span {
	return CurrentWidthMode().HTML(s)
}

// HTML is the package's HTML in mode m.
func (m WidthMode) HTML(s string) []Span {
	r := htmlRenderer{mode: m}
	r.render(s)
	setHostHints(r.spans)
	return r.spans
}

func (r *htmlRenderer) render(s string) {
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken: // io.EOF: the tokenizer never fails otherwise
			r.flush(false)
			return
		case html.TextToken:
			if r.skip == "" {
				r.text(string(z.Text()))
			}
		case html.StartTagToken:
			r.start(z, false)
		case html.SelfClosingTagToken:
			r.start(z, true)
		case html.EndTagToken:
			name, _ := z.TagName()
			r.end(string(name))
		}
	}
}

// PlainText joins the text of spans, for example to show the start of an
// HTML body in a list row or to search it.
func PlainText(spans []Span) string {
	var b strings.Builder
	for _, s := range spans {
		b.WriteString(s.Text)
	}
	return b.String()
}

// htmlRenderer turns tokens into spans. Text is collected raw while the
// formatting stays the same and sanitized once per span, so that a
// sequence split by a tag that changes nothing is still removed whole.
// Blocks are structure: they end the pending text.
type htmlRenderer struct {
	mode                    WidthMode
	bold, italic, underline int
	colors, hrefs           []string // stacks of <font> and <a>
	skip                    string   // inside <script> or <style>

	pending    strings.Builder
	pendingFmt format
	spans      []Span

	brk    bool        // a block began or ended: a line break before more text
	prefix string      // the bullet or number of a list item, before its text
	lists  []listLevel // open <ul> and <ol>

	// anchors records every <a href> with its raw text, for Links.
	collect bool
	anchors []anchor
	open    []int // for each <a> on hrefs, its index in anchors, or -1
}

type listLevel struct {
	ordered bool
	n       int // items so far
}

type anchor struct {
	href string
	text []byte
}

// isBlock reports whether tag is an element that starts and ends lines.
func isBlock(tag string) bool {
	switch tag {
	case "p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
		"blockquote", "pre", "table", "tr", "hr":
		return true
	}
	return false
}

func (r *htmlRenderer) current() format {
	f := format{bold: r.bold > 0, italic: r.italic > 0, underline: r.underline > 0}
	if n := len(r.colors); n > 0 {
		f.color = r.colors[n-1]
	}
	if n := len(r.hrefs); n > 0 {
		f.href = r.hrefs[n-1]
	}
	return f
}

func (r *htmlRenderer) start(z *html.Tokenizer, selfClosing bool) {
	name, hasAttr := z.TagName()
	tag := string(name)
	if r.skip != "" {
		return
	}
	if tag == "br" {
		r.text("\n")
		return
	}
	if isBlock(tag) {
		r.block()
		if selfClosing {
			return
		}
		switch tag {
		case "ul", "ol":
			r.lists = append(r.lists, listLevel{ordered: tag == "ol"})
		case "li":
			r.prefix = "• "
			if n := len(r.lists); n > 0 {
				l := &r.lists[n-1]
				l.n++
				if l.ordered {
					r.prefix = strconv.Itoa(l.n) + ". "
				}
				r.prefix = strings.Repeat("  ", n-1) + r.prefix
			}
		}
		return
	}
	if selfClosing {
		return // <b/> and the like open nothing
	}
	switch tag {
	case "b":
		r.bold++
	case "i":
		r.italic++
	case "u":
		r.underline++
	case "font":
		color := r.current().color // a missing or bad colour inherits
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			if string(k) == "color" {
				if c, ok := htmlColor(string(v)); ok {
					color = c
				}
			}
		}
		r.colors = append(r.colors, color)
	case "a":
		href := ""
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			if string(k) == "href" {
				href, _ = SafeURL(string(v))
			}
		}
		r.hrefs = append(r.hrefs, href)
		if r.collect {
			i := -1
			if href != "" {
				i = len(r.anchors)
				r.anchors = append(r.anchors, anchor{href: href})
			}
			r.open = append(r.open, i)
		}
	case "script", "style":
		r.skip = tag
	}
}

func (r *htmlRenderer) end(tag string) {
	if r.skip != "" {
		if tag == r.skip {
			r.skip = ""
		}
		return
	}
	if isBlock(tag) {
		r.block()
		if (tag == "ul" || tag == "ol") && len(r.lists) > 0 {
			r.lists = r.lists[:len(r.lists)-1]
		}
		return
	}
	switch tag {
	case "b":
		r.bold = max(r.bold-1, 0)
	case "i":
		r.italic = max(r.italic-1, 0)
	case "u":
		r.underline = max(r.underline-1, 0)
	case "font":
		if n := len(r.colors); n > 0 {
			r.colors = r.colors[:n-1]
		}
	case "a":
		if n := len(r.hrefs); n > 0 {
			r.hrefs = r.hrefs[:n-1]
			if r.collect {
				r.open = r.open[:n-1]
			}
		}
	}
}

func (r *htmlRenderer) text(t string) {
	f := r.current()
	if r.pending.Len() > 0 && f != r.pendingFmt {
		r.flush(false)
	}
	r.pendingFmt = f
	r.pending.WriteString(t)
	if n := len(r.open); n > 0 && r.open[n-1] >= 0 {
		a := &r.anchors[r.open[n-1]]
		a.text = append(a.text, t...)
	}
}

// block marks the start or end of a block: the pending text ends here,
// without trailing white space, and more text starts on a new line.
func (r *htmlRenderer) block() {
	r.flush(true)
	r.brk = true
	if n := len(r.open); n > 0 && r.open[n-1] >= 0 {
		a := &r.anchors[r.open[n-1]]
		a.text = append(a.text, ' ')
	}
}

// flush sanitizes the pending text into a span, merging it into the last
// span when an empty span in between left both with the same formatting.
// At a block boundary (atBlock) trailing white space is dropped; after
// one, leading white space is, and the line break and list prefix due
// are written first, as a span of their own with no formatting.
func (r *htmlRenderer) flush(atBlock bool) {
	t := r.mode.Text(r.pending.String())
	r.pending.Reset()
	due := r.brk || r.prefix != ""
	if due {
		if trimmed := strings.TrimLeft(t, " \t\n"); len(trimmed) != len(t) {
			t = r.mode.Text(trimmed) // a mark it uncovered has no base now
		}
	}
	if atBlock {
		t = strings.TrimRight(t, " \t\n")
	}
	if t == "" {
		return
	}
	if due {
		lead := r.prefix
		if n := len(r.spans); n > 0 && !strings.HasSuffix(r.spans[n-1].Text, "\n") {
			lead = "\n" + lead
		}
		r.brk, r.prefix = false, ""
		r.appendSpan(lead, format{})
	}
	r.appendSpan(t, r.pendingFmt)
}

func (r *htmlRenderer) appendSpan(t string, f format) {
	if t == "" {
		return
	}
	if n := len(r.spans); n > 0 && r.spans[n-1].format() == f {
		r.spans[n-1].Text += t
		return
	}
	r.spans = append(r.spans, Span{Text: t, Bold: f.bold, Italic: f.italic,
		Underline: f.underline, Color: f.color, Href: f.href})
}

// setHostHints sets HostHint on the last span of every link.
func setHostHints(spans []Span) {
	for i := 0; i < len(spans); {
		href := spans[i].Href
		j := i + 1
		for j < len(spans) && spans[j].Href == href {
			j++
		}
		if href != "" {
			text := spans[i].Text
			if j-i > 1 {
				var b strings.Builder
				for _, sp := range spans[i:j] {
					b.WriteString(sp.Text)
				}
				text = b.String()
			}
			spans[j-1].HostHint = LinkHost(text, href)
		}
		i = j
	}
}

// namedColors are the HTML 4 colour names, which old-style markup such as
// <font color=red> uses.
var namedColors = map[string]string{
	"black": "#000000", "silver": "#c0c0c0", "gray": "#808080", "grey": "#808080",
	"white": "#ffffff", "maroon": "#800000", "red": "#ff0000", "purple": "#800080",
	"fuchsia": "#ff00ff", "green": "#008000", "lime": "#00ff00", "olive": "#808000",
	"yellow": "#ffff00", "navy": "#000080", "blue": "#0000ff", "teal": "#008080",
	"aqua": "#00ffff", "orange": "#ffa500",
}

// htmlColor validates a <font color> value and returns it as "#rrggbb":
// "#rrggbb", "#rgb", "rrggbb" or an HTML 4 colour name, any case.
func htmlColor(v string) (string, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	if c, ok := namedColors[v]; ok {
		return c, true
	}
	hash := strings.HasPrefix(v, "#")
	v = strings.TrimPrefix(v, "#")
	if !isHex(v) {
		return "", false
	}
	switch {
	case len(v) == 6:
		return "#" + v, true
	case len(v) == 3 && hash:
		return "#" + string([]byte{v[0], v[0], v[1], v[1], v[2], v[2]}), true
	}
	return "", false
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return s != ""
}
