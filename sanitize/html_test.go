package sanitize

import (
	"strings"
	"testing"
)

func TestHTML(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Span
	}{
		{"Plain", "hello", []Span{{Text: "hello"}}},
		{"Empty", "", nil},
		{"Bold", "a <b>b</b> c", []Span{{Text: "a "}, {Text: "b", Bold: true}, {Text: " c"}}},
		{"ItalicUnderline", "<i>i</i><u>u</u>", []Span{{Text: "i", Italic: true}, {Text: "u", Underline: true}}},
		{"Nested", "<b>b<i>bi<u>biu</u></i></b>", []Span{
			{Text: "b", Bold: true}, {Text: "bi", Bold: true, Italic: true},
			{Text: "biu", Bold: true, Italic: true, Underline: true}}},
		{"Overlapping", "<b>b<i>bi</b>i</i>", []Span{
			{Text: "b", Bold: true}, {Text: "bi", Bold: true, Italic: true}, {Text: "i", Italic: true}}},
		{"UppercaseTags", "<B>x</B>", []Span{{Text: "x", Bold: true}}},
		{"FontColor", `<font color="#FF0000">red</font>`, []Span{{Text: "red", Color: "#ff0000"}}},
		{"FontShortColor", `<font color="#0f0">g</font>`, []Span{{Text: "g", Color: "#00ff00"}}},
		{"FontNamedColor", `<font color=blue>b</font>`, []Span{{Text: "b", Color: "#0000ff"}}},
		{"FontHashless", `<font color="00ff00">g</font>`, []Span{{Text: "g", Color: "#00ff00"}}},
		{"FontHashlessShort", `<font color="bad">x</font>`, []Span{{Text: "x"}}},
		{"FontBadColor", `<font color="expression(alert(1))">x</font>`, []Span{{Text: "x"}}},
		{"FontColorEscape", `<font color="#ff0000\x1b[5m">x</font>`, []Span{{Text: "x"}}},
		{"FontNestedInherit", `<font color="#111111">a<font color="bad">b</font>c</font>`, []Span{{Text: "abc", Color: "#111111"}}},
		{"FontNestedPop", `<font color="#111111">a<font color="#222222">b</font>c</font>`, []Span{
			{Text: "a", Color: "#111111"}, {Text: "b", Color: "#222222"}, {Text: "c", Color: "#111111"}}},
		{"Link", `<a href="https://example.com/x">site</a>`, []Span{{Text: "site", Href: "https://example.com/x", HostHint: "example.com"}}},
		{"LinkJavascript", `<a href="javascript:alert(1)">click</a>`, []Span{{Text: "click"}}},
		{"LinkJavascriptEntities", `<a href="jav&#x09;ascript:alert(1)">click</a>`, []Span{{Text: "click"}}},
		{"LinkData", `<a href="data:text/html;base64,PHNjcmlwdD4=">d</a>`, []Span{{Text: "d"}}},
		{"LinkNoHref", `<a name="x">n</a>`, []Span{{Text: "n"}}},
		{"LinkIDN", `<a href="https://bücher.example">b</a>`, []Span{{Text: "b", Href: "https://xn--bcher-kva.example", HostHint: "xn--bcher-kva.example"}}},
		{"BoldLink", `<b><a href="https://a.io">x</a></b>`, []Span{{Text: "x", Bold: true, Href: "https://a.io", HostHint: "a.io"}}},
		{"Br", "a<br>b<br/>c<BR >d", []Span{{Text: "a\nb\nc\nd"}}},
		{"Entities", "&lt;b&gt; &amp; &quot; &#233; &eacute; &nbsp;", []Span{{Text: "<b> & \" é é \u00a0"}}},
		{"EntityEscape", "a&#27;[31mb&#x1b;]0;t&#7;c", []Span{{Text: "abc"}}},
		{"EntityBidi", "a&#x202E;b", []Span{{Text: "ab"}}},
		{"EntityC1", "a&#x9b;31mb", []Span{{Text: "a\u203a31mb"}}}, // HTML maps &#x9b; to U+203A
		{"RawEscape", "a\x1b]2;title\x07<b>b</b>", []Span{{Text: "a"}, {Text: "b", Bold: true}}},
		{"EscapeSplitByNoopTags", "a\x1b<i></i>[31mb", []Span{{Text: "ab"}}},
		{"NewlinesKept", "line1\nline2", []Span{{Text: "line1\nline2"}}},
		{"CRLF", "a\r\nb", []Span{{Text: "a\nb"}}},
		{"OtherTagsDropped", `<span style="color:red">s</span><em>e</em><img src=x>!`, []Span{{Text: "se!"}}},
		{"ScriptDropped", `a<script>alert("x")</script>b`, []Span{{Text: "ab"}}},
		{"StyleDropped", `a<style>b{color:red}</style>b`, []Span{{Text: "ab"}}},
		{"ImgDropped", `a<img src="https://t.example/pixel.gif" onerror="x">b`, []Span{{Text: "ab"}}},
		{"Comment", "a<!-- hidden -->b", []Span{{Text: "ab"}}},
		{"Doctype", "<!DOCTYPE html>a", []Span{{Text: "a"}}},
		{"UnclosedBold", "<b>to the end", []Span{{Text: "to the end", Bold: true}}},
		{"StrayEndTags", "</b></i></font></a>x", []Span{{Text: "x"}}},
		{"SelfClosingBold", "<b/>x", []Span{{Text: "x"}}},
		{"BrokenTag", "a <b class=\"x>b</b> c", []Span{{Text: "a "}}},
		{"LoneLT", "1 < 2 and 3 > 2", []Span{{Text: "1 < 2 and 3 > 2"}}},
		{"UnclosedScript", "a<script>b", []Span{{Text: "a"}}},
		{"Plaintext", "a<plaintext><b>x", []Span{{Text: "a<b>x"}}},
		{"EmptyBold", "<b></b>", nil},
		{"MergeAfterEmpty", "a<b>\x1b</b>c", []Span{{Text: "ac"}}},
		{"CombiningAcrossNoopTag", "e<span>\u0301</span>", []Span{{Text: "e\u0301"}}},

		// Blocks and lists
		{"Paragraphs", "<p>one</p><p>two</p>", []Span{{Text: "one\ntwo"}}},
		{"Divs", `<div class="x">a</div><div>b</div>c`, []Span{{Text: "a\nb\nc"}}},
		{"TextAroundBlock", "x<p>y</p>z", []Span{{Text: "x\ny\nz"}}},
		{"NestedBlocks", "<div><p>a</p></div><div><div><p>b</p></div></div>", []Span{{Text: "a\nb"}}},
		{"SourceWhitespaceBetweenBlocks", "<p>a</p>\n\n  <p>\n b \n</p>\n", []Span{{Text: "a\nb"}}},
		{"EmptyBlocks", "<p></p><div> </div><p>a</p><p></p>", []Span{{Text: "a"}}},
		{"BlockAfterNewline", "a\n<p>b</p>", []Span{{Text: "a\nb"}}},
		{"BlockAfterBrInOtherFormat", "<b>a<br></b> <p>c</p>", []Span{{Text: "a\n", Bold: true}, {Text: "c"}}},
		{"BrStillBreaks", "a<br><br>b<p>c</p>", []Span{{Text: "a\n\nb\nc"}}},
		{"SelfClosingBlock", "a<hr/>b", []Span{{Text: "a\nb"}}},
		{"Headings", "<h1>Title</h1>text", []Span{{Text: "Title\ntext"}}},
		{"List", "<ul><li>one</li><li>two</li></ul>", []Span{{Text: "• one\n• two"}}},
		{"ListFormatted", "<ul>\n  <li>one</li>\n  <li>two</li>\n</ul>\n", []Span{{Text: "• one\n• two"}}},
		{"ListAfterText", "Steps:<ol><li>a</li><li>b</li></ol>Done", []Span{{Text: "Steps:\n1. a\n2. b\nDone"}}},
		{"NestedList", "<ul><li>a<ul><li>b</li><li>c</li></ul></li><li>d</li></ul>", []Span{{Text: "• a\n  • b\n  • c\n• d"}}},
		{"ListItemUnclosed", "<ul><li>a<li>b</ul>", []Span{{Text: "• a\n• b"}}},
		{"ListItemParagraph", "<ul><li><p>a</p></li></ul>", []Span{{Text: "• a"}}},
		{"ListItemBold", "<ul><li><b>a</b> b</li></ul>", []Span{{Text: "• "}, {Text: "a", Bold: true}, {Text: " b"}}},
		{"ListItemLink", `<ul><li><a href="https://a.io/">https://a.io/</a></li></ul>`, []Span{
			{Text: "• "}, {Text: "https://a.io/", Href: "https://a.io/"}}},
		{"LoneListItem", "<li>x</li>", []Span{{Text: "• x"}}},
		{"BlockInsideLink", `<a href="https://a.io/"><p>x</p></a>y`, []Span{{Text: "x", Href: "https://a.io/", HostHint: "a.io"}, {Text: "\ny"}}},
		{"MarkAfterTrimmedSpace", "<p>a</p> \u0301b", []Span{{Text: "a\nb"}}},
		{"EscapeSplitByBlock", "a\x1b<p>[31mb</p>", []Span{{Text: "a\n[31mb"}}},

		// Links and their hosts
		{"Phishing", `<a href="https://evil.example/">https://bank.example/login</a>`, []Span{
			{Text: "https://bank.example/login", Href: "https://evil.example/", HostHint: "evil.example"}}},
		{"TextIsURL", `<a href="https://bank.example/login">https://bank.example/login</a>`, []Span{
			{Text: "https://bank.example/login", Href: "https://bank.example/login"}}},
		{"TextIsHost", `<a href="https://Bank.Example/login">bank.example</a>`, []Span{
			{Text: "bank.example", Href: "https://bank.example/login"}}},
		{"TextIsOtherSubdomain", `<a href="https://evil.example/">bank.example.evil.example</a>`, []Span{
			{Text: "bank.example.evil.example", Href: "https://evil.example/", HostHint: "evil.example"}}},
		{"HrefIsLongerSubdomain", `<a href="https://bank.example.evil.example/">https://bank.example/</a>`, []Span{
			{Text: "https://bank.example/", Href: "https://bank.example.evil.example/", HostHint: "bank.example.evil.example"}}},
		{"TextIsIDN", `<a href="https://bücher.example/">bücher.example</a>`, []Span{
			{Text: "bücher.example", Href: "https://xn--bcher-kva.example/", HostHint: "xn--bcher-kva.example"}}},
		{"TextIsPunycode", `<a href="https://bücher.example/">xn--bcher-kva.example</a>`, []Span{
			{Text: "xn--bcher-kva.example", Href: "https://xn--bcher-kva.example/"}}},
		{"ClickHere", `<a href="https://evil.example/x">click here</a>`, []Span{
			{Text: "click here", Href: "https://evil.example/x", HostHint: "evil.example"}}},
		{"LinkTextAcrossSpans", `<a href="https://bank.example/"><b>bank</b>.example</a>`, []Span{
			{Text: "bank", Bold: true, Href: "https://bank.example/"}, {Text: ".example", Href: "https://bank.example/"}}},
		{"LinkTextAcrossSpansPhishing", `<a href="https://evil.example/"><b>bank</b>.example</a>`, []Span{
			{Text: "bank", Bold: true, Href: "https://evil.example/"}, {Text: ".example", Href: "https://evil.example/", HostHint: "evil.example"}}},
		{"TwoLinks", `<a href="https://a.io/">a.io</a> and <a href="https://b.io/">x</a>`, []Span{
			{Text: "a.io", Href: "https://a.io/"}, {Text: " and "}, {Text: "x", Href: "https://b.io/", HostHint: "b.io"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := HTML(tc.in)
			if !equalSpans(got, tc.want) {
				t.Errorf("HTML(%q) =\n%+v\nwant\n%+v", tc.in, got, tc.want)
			}
			checkSpans(t, got)
		})
	}
}

// checkSpans asserts the invariants of HTML's output.
func checkSpans(tb testing.TB, spans []Span) {
	tb.Helper()
	for i, s := range spans {
		if s.Text == "" {
			tb.Errorf("span %d is empty", i)
		}
		assertSafe(tb, s.Text, false)
		if Text(s.Text) != s.Text {
			tb.Errorf("span %d text %q is not clean", i, s.Text)
		}
		if s.Color != "" {
			if c, ok := htmlColor(s.Color); !ok || c != s.Color || len(c) != 7 {
				tb.Errorf("span %d colour %q is not #rrggbb", i, s.Color)
			}
		}
		if s.Href != "" {
			if u, ok := SafeURL(s.Href); !ok || u != s.Href {
				tb.Errorf("span %d href %q is not a safe normal URL", i, s.Href)
			}
		}
		if i > 0 && spans[i-1].format() == s.format() {
			tb.Errorf("spans %d and %d share formatting", i-1, i)
		}
		if s.HostHint != "" && (s.Href == "" || i+1 < len(spans) && spans[i+1].Href == s.Href) {
			tb.Errorf("span %d has host hint %q but does not end a link", i, s.HostHint)
		}
		if s.HostHint != "" && !validHost(s.HostHint) {
			tb.Errorf("span %d host hint %q is not a host", i, s.HostHint)
		}
	}
}

// validHost reports whether h looks like what LinkHost returns: printable
// ASCII, lower-case, no URL punctuation.
func validHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if c <= 0x20 || c >= 0x7f || c >= 'A' && c <= 'Z' || strings.IndexByte("/?#@\\", c) >= 0 {
			return false
		}
	}
	return h != ""
}
