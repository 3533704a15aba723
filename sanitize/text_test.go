package sanitize

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// escapeCases covers every escape family a terminal understands; want is
// the Text output.
var escapeCases = []struct {
	name, in, want string
}{
	{"Plain", "hello, world", "hello, world"},
	{"Empty", "", ""},
	{"NewlineTabKept", "a\n\tb", "a\n\tb"},

	// CSI
	{"CSI_SGR", "a\x1b[31mred\x1b[0m", "ared"},
	{"CSI_Params", "a\x1b[1;2;38;5;196mb", "ab"},
	{"CSI_PrivatePrefix", "a\x1b[?1049hb", "ab"},
	{"CSI_Intermediate", "a\x1b[1 qb", "ab"},           // DECSCUSR
	{"CSI_CursorMove", "a\x1b[10;20Hb\x1b[2Jc", "abc"}, // CUP, ED
	{"CSI_ColonSubparams", "a\x1b[38:2::1:2:3mb", "ab"},
	{"CSI_C0Inside", "a\x1b[3\n1mb", "ab"},
	{"CSI_CANAborts", "a\x1b[31\x18mb", "amb"},
	{"CSI_SUBAborts", "a\x1b[31\x1amb", "amb"},
	{"CSI_Unterminated", "a\x1b[31", "a"},
	{"CSI_NonASCIIAborts", "a\x1b[31é", "aé"},
	{"CSI_8bit", "a\x9b31mb", "ab"},
	{"CSI_8bitUTF8", "a\u009b31mb", "ab"},

	// OSC
	{"OSC0_BEL", "a\x1b]0;pwned\x07b", "ab"},
	{"OSC2_BEL", "a\x1b]2;title\x07b", "ab"},
	{"OSC2_ST", "a\x1b]2;title\x1b\\b", "ab"},
	{"OSC8_Link", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"},
	{"OSC52_Clipboard", "a\x1b]52;c;cm0gLXJmIH4=\x07b", "ab"},
	{"OSC52_ST", "a\x1b]52;c;cm0gLXJmIH4=\x1b\\b", "ab"},
	{"OSC_8bitIntro", "a\x9d0;t\x07b", "ab"},
	{"OSC_8bitST", "a\x1b]0;t\x9cb", "ab"},
	{"OSC_UTF8C1", "a\u009d0;t\u009cb", "ab"},
	{"OSC_Unterminated", "safe\x1b]0;the rest is swallowed", "safe"},
	{"OSC_PayloadNonASCII", "a\x1b]2;日本\x07b", "ab"},
	{"OSC_NewlineInPayload", "a\x1b]2;x\ny\x07b", "ab"},
	{"OSC_ESCEndsString", "a\x1b]0;t\x1b[31mb", "ab"},
	{"OSC_CANAborts", "a\x1b]0;t\x18b", "ab"},

	// DCS, SOS, PM, APC
	{"DCS_ST", "a\x1bP1$r0m\x1b\\b", "ab"},
	{"DCS_BELIsPayload", "a\x1bPq\x07still\x1b\\b", "ab"},
	{"DCS_8bit", "a\x90q#0;2\x9cb", "ab"},
	{"SOS_ST", "a\x1bXhidden\x1b\\b", "ab"},
	{"SOS_8bit", "a\x98hidden\x9cb", "ab"},
	{"PM_ST", "a\x1b^privacy\x1b\\b", "ab"},
	{"PM_8bit", "a\x9eprivacy\x9cb", "ab"},
	{"APC_ST", "a\x1b_Gf=100;AAAA\x1b\\b", "ab"}, // kitty graphics
	{"APC_8bit", "a\x9fGf=1\x9cb", "ab"},
	{"APC_Unterminated", "a\x1b_G no end", "a"},

	// Two-byte escapes
	{"SS2", "a\x1bNb", "ab"},
	{"SS3", "a\x1bOb", "ab"},
	{"SS2_8bit", "a\x8eb", "ab"},
	{"SS3_8bit", "a\x8fb", "ab"},
	{"RIS", "a\x1bcb", "ab"},
	{"DECSC", "a\x1b7b\x1b8c", "abc"},
	{"CharsetDesignation", "a\x1b(0qqq\x1b(Bb", "aqqqb"},
	{"DECALN", "a\x1b#8b", "ab"},
	{"LoneST", "a\x1b\\b", "ab"},

	// Bare and nested
	{"BareESCAtEnd", "abc\x1b", "abc"},
	{"ESCThenNonASCII", "a\x1bé", "aé"},
	{"DoubleESC", "a\x1b\x1b[31mb", "ab"},
	{"ESC_C0Inside", "a\x1b\x00[31mb", "ab"}, // a terminal executes NUL and still sees CSI
	{"NestedOSCInCSI", "a\x1b[1\x1b]0;x\x07b", "ab"},
	{"EntityLikeText", "&#27;[31m", "&#27;[31m"},

	// C0, C1, DEL
	{"C0Removed", "a\x00b\x01c\x07d\x08e\x0bf\x0cg\x0eh\x1fi", "abcdefghi"},
	{"DELRemoved", "a\x7fb", "ab"},
	{"C1Removed", "a\u0080b\u0084c\u0099d", "abcd"},
	{"NELIsNewline", "a\u0085b", "a\nb"},
	{"Backspace", "abc\b\b\bxyz", "abcxyz"},

	// Carriage return
	{"CRLF", "a\r\nb", "a\nb"},
	{"LoneCR", "a\rb", "a\nb"},
	{"CRCR", "a\r\rb", "a\n\nb"},
	{"CRJunkLF", "a\r\x1b[mb\nc", "a\nb\nc"},
	{"CRThenJunkThenLF", "a\r\x07\nb", "a\nb"},
	{"LineSeparators", "a\u2028b\u2029c", "a\nb\nc"},

	// Invalid UTF-8
	{"InvalidByte", "a\xffb", "a\ufffdb"},
	{"TruncatedRune", "a\xe6\xa5b", "a\ufffd\ufffdb"},
	{"OrphanC1ByteIsC1", "a\xe6\x97b", "a\ufffdb"}, // 0x97 alone is 8-bit C1 SPA
	{"ValidReplacementKept", "a\ufffdb", "a\ufffdb"},
	{"Surrogate", "a\xed\xa0\xbfb", "a\ufffd\ufffd\ufffdb"},
}

// formatCases cover bidi controls and other invisible characters.
var formatCases = []struct {
	name, in, want string
}{
	{"RLO", "invoice\u202Efdp.exe", "invoicefdp.exe"},
	{"LRO_PDF", "a\u202Db\u202Cc", "abc"},
	{"Embeddings", "\u202Aa\u202Bb", "ab"},
	{"Isolates", "\u2066a\u2067b\u2068c\u2069", "abc"},
	{"Marks", "a\u200Eb\u200Fc\u061Cd", "abcd"},
	{"ZeroWidthSpace", "pay\u200Bpal", "paypal"},
	{"WordJoiner", "a\u2060b", "ab"},
	{"BOM", "\uFEFFhello", "hello"},
	{"SoftHyphen", "co\u00ADop", "coop"},
	{"InterlinearAnnotation", "a\uFFF9b\uFFFAc\uFFFBd", "abcd"},
	{"ZWJKept", "👨\u200D👩\u200D👧", "👨\u200D👩\u200D👧"},
	{"ZWNJKept", "می\u200Cخواهم", "می\u200Cخواهم"},
	{"SubdivisionFlagKept", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"},
	{"StrayTagsRemoved", "a\U000E0068\U000E0069b", "ab"},
	{"TagsAfterCancelRemoved", "🏴\U000E0067\U000E007F\U000E0068", "🏴\U000E0067\U000E007F"},
	{"LanguageTagRemoved", "a\U000E0001b", "ab"},
	{"CombiningKept", "e\u0301", "e\u0301"},
	{"BaselessCombiningRemoved", "\u0301e", "e"},
	{"BaselessAfterNewline", "a\n\u0336b", "a\nb"},
	{"BaselessAfterTab", "a\t\u20DDb", "a\tb"},
	{"VariationSelectorKept", "❤\uFE0F", "❤\uFE0F"},
	{"CJK", "日本語", "日本語"},
	{"PrivateUseKept", "\uE0A0 main", "\uE0A0 main"},

	// Stacked combining marks
	{"ZalgoCut", "Z" + strings.Repeat("\u0334\u0321\u0322\u031b", 10) + "a", "Z\u0334\u0321\u0322\u031ba"},
	{"ZalgoEveryBase", "a\u0301\u0302\u0303\u0304\u0305b\u0306\u0307\u0308\u0309\u030a\u030b", "a\u0301\u0302\u0303\u0304b\u0306\u0307\u0308\u0309"},
	{"ZalgoEnclosing", "x" + strings.Repeat("\u20dd", 9), "x\u20dd\u20dd\u20dd\u20dd"},
	{"ZalgoThroughJoiners", "a" + strings.Repeat("\u200d\u0301", 8), "a\u200d\u0301\u200d\u0301\u200d\u0301\u200d\u0301\u200d\u200d\u200d\u200d"},
	{"ZalgoSpacingMarks", "\u0915" + strings.Repeat("\u093e\u0901", 5), "\u0915\u093e\u0901\u093e\u0901"},
	{"ZalgoSupplementary", "a" + strings.Repeat("\U0001D167", 6), "a\U0001D167\U0001D167\U0001D167\U0001D167"},
	{"ZalgoSplitByEscapes", "a\u0301\x1b[m\u0301\u0301\x1b[m\u0301\u0301\u0301", "a\u0301\u0301\u0301\u0301"},
	{"MarksCountFromEachBase", "e\u0301\u0301\u0301\u0301 e\u0301\u0301\u0301\u0301", "e\u0301\u0301\u0301\u0301 e\u0301\u0301\u0301\u0301"},
	{"Vietnamese", "Tiếng Việt có dấu: người, đường, nghiêng", "Tiếng Việt có dấu: người, đường, nghiêng"},
	{"VietnameseDecomposed", "Vie\u0323\u0302t ngu\u031bo\u031b\u0300i", "Vie\u0323\u0302t ngu\u031bo\u031b\u0300i"},
	{"Devanagari", "नमस्ते दुनिया, क़ाँ क्षत्रिय", "नमस्ते दुनिया, क़ाँ क्षत्रिय"},
	{"HebrewPoints", "שָׁלוֹם בְּרֵאשִׁית", "שָׁלוֹם בְּרֵאשִׁית"},
	{"HebrewDageshShinDotVowelAccent", "\u05e9\u05bc\u05c1\u05b8\u0591", "\u05e9\u05bc\u05c1\u05b8\u0591"},
	{"Thai", "ภาษาไทย ที่นี่ น้ำ กี่", "ภาษาไทย ที่นี่ น้ำ กี่"},
	{"Arabic", "مُحَمَّدٌ", "مُحَمَّدٌ"},
	{"Tibetan", "བསྒྲུབས་", "བསྒྲུབས་"},
	{"Keycap", "1\uFE0F\u20E3", "1\uFE0F\u20E3"},

	// Invisible fillers
	{"HangulFiller", "a\u3164b", "ab"},
	{"HangulFillerOnly", "\u3164\u3164\u3164", ""},
	{"HangulChoseongFiller", "a\u115Fb", "ab"},
	{"HangulJungseongFiller", "a\u1160b", "ab"},
	{"HalfwidthHangulFiller", "a\uFFA0b", "ab"},
	{"BraillePatternBlank", "a\u2800b", "ab"},
	{"KhmerInherentVowels", "a\u17B4\u17B5b", "ab"},
	{"CombiningGraphemeJoiner", "Pay\u034FPal", "PayPal"},
	{"KhitanFiller", "a\U00016FE4b", "ab"},
	{"HangulSyllablesKept", "한국어", "한국어"},
	{"ConjoiningJamoKept", "\u1112\u1161\u11AB", "\u1112\u1161\u11AB"},
	{"BraillePatternKept", "\u2801\u2803", "\u2801\u2803"},
	{"IdeographicSpaceKept", "日\u3000本", "日\u3000本"},
}

func TestText(t *testing.T) {
	for _, tc := range append(escapeCases, formatCases...) {
		t.Run(tc.name, func(t *testing.T) {
			got := Text(tc.in)
			if got != tc.want {
				t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
			}
			assertSafe(t, got, false)
			if again := Text(got); again != got {
				t.Errorf("Text not idempotent: %q -> %q", got, again)
			}
		})
	}
}

func TestLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Plain", "hello world", "hello world"},
		{"Newlines", "a\nb\r\nc\rd", "a b c d"},
		{"Tabs", "a\tb", "a b"},
		{"RunsCollapse", "a   \t\n  b", "a b"},
		{"Trim", "  a b  ", "a b"},
		{"OnlySpace", " \n\t ", ""},
		{"EscapesBetweenSpaces", "a \x1b[31m b", "a b"},
		{"Separators", "a\u2028b\u0085c", "a b c"},
		{"CombiningAfterSpaceKept", "a \u0301", "a \u0301"},
		{"LeadingCombiningRemoved", "\t\u0301a", "a"},
		{"NBSPKept", "a\u00a0\u00a0b", "a\u00a0\u00a0b"},
		{"Unicode", " 日本  語 ", "日本 語"},
		{"OSCTitle", "Deploy\x1b]2;owned\x07 done", "Deploy done"},
		{"ZalgoRow", "H\u0334\u0321\u0322\u031b\u0337\u0338\u0336e  llo", "H\u0334\u0321\u0322\u031be llo"},
		{"MarksAfterCollapsedSpace", "a\u0301\u0301\u0301\u0301  \u0301\u0301", "a\u0301\u0301\u0301\u0301 \u0301\u0301"},
		{"FillerTitleIsEmpty", "\u3164 \u2800 \u115F\u1160 \uFFA0", ""},
		{"FillerSpacing", "a \u2800 \u2800 b", "a b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Line(tc.in)
			if got != tc.want {
				t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
			}
			assertSafe(t, got, true)
			if again := Line(got); again != got {
				t.Errorf("Line not idempotent: %q -> %q", got, again)
			}
		})
	}
}

// TestCleanReturnsInput checks the no-copy paths: clean input comes back
// as the same string, and dropping only a suffix returns a substring.
func TestCleanReturnsInput(t *testing.T) {
	for _, s := range []string{"plain", "a\n\tb", "日本語 👍🏽", "e\u0301"} {
		if allocs := testing.AllocsPerRun(100, func() { _ = Text(s) }); allocs != 0 {
			t.Errorf("Text(%q) allocated %.0f times", s, allocs)
		}
	}
	for _, s := range []string{"title\x1b[0m", "\x1b[1mtitle", "\x1b[1mtitle\x1b[0m\x07"} {
		if allocs := testing.AllocsPerRun(100, func() { _ = Text(s) }); allocs != 0 {
			t.Errorf("Text(%q) allocated %.0f times", s, allocs)
		}
	}
	for _, s := range []string{"  a b  ", "\ta\n"} {
		if allocs := testing.AllocsPerRun(100, func() { _ = Line(s) }); allocs != 0 {
			t.Errorf("Line(%q) allocated %.0f times", s, allocs)
		}
	}
}

// TestIsMark checks isMark's shortcut range against the Unicode tables.
func TestIsMark(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if isMark(r) != unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) {
			t.Fatalf("isMark(%U) = %v", r, isMark(r))
		}
	}
}

// TestIsFiller checks isFiller's shortcut against the table.
func TestIsFiller(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if isFiller(r) != unicode.Is(fillers, r) {
			t.Fatalf("isFiller(%U) = %v", r, isFiller(r))
		}
	}
}

// TestIsFormat checks isFormat's shortcut ranges against the Unicode table.
func TestIsFormat(t *testing.T) {
	for r := rune(0x80); r <= unicode.MaxRune; r++ {
		if isFormat(r) != unicode.Is(unicode.Cf, r) {
			t.Fatalf("isFormat(%U) = %v, unicode.Cf says %v", r, isFormat(r), !isFormat(r))
		}
	}
}

// assertSafe fails when s holds anything that could act on a terminal.
func assertSafe(tb testing.TB, s string, line bool) {
	tb.Helper()
	if msg := unsafeReason(s, line); msg != "" {
		tb.Errorf("unsafe output %q: %s", s, msg)
	}
}

func unsafeReason(s string, line bool) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
			if line {
				return "newline or tab in a line"
			}
		case r < 0x20 || r == 0x7f:
			return "C0 control or DEL"
		case r >= 0x80 && r <= 0x9f:
			return "C1 control"
		case strings.ContainsRune("\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C", r):
			return "bidi control"
		}
	}
	return ""
}

// TestDecodeRune checks the inline decoder against the standard one on
// every one-, two- and three-byte prefix shape.
func TestDecodeRune(t *testing.T) {
	var buf [4]byte
	for a := 0; a < 256; a++ {
		for b := 0; b < 256; b++ {
			for _, c := range []int{0x00, 0x41, 0x7f, 0x80, 0x9f, 0xa0, 0xbf, 0xc0, 0xff} {
				buf[0], buf[1], buf[2], buf[3] = byte(a), byte(b), byte(c), 'x'
				for n := 1; n <= 4; n++ {
					s := string(buf[:n])
					r, size := decodeRune(s, 0)
					wr, wsize := utf8.DecodeRuneInString(s)
					if r != wr || size != wsize {
						t.Fatalf("decodeRune(%q) = %U, %d; want %U, %d", s, r, size, wr, wsize)
					}
				}
			}
		}
	}
}

// TestBitmaps checks the BMP lookup tables against the Unicode tables.
func TestBitmaps(t *testing.T) {
	for r := rune(0x80); r < 0x10000; r++ {
		special := unicode.Is(unicode.Cf, r) || unicode.Is(fillers, r) || r <= 0x9f || r == 0x2028 || r == 0x2029 || r == 0xfffd
		if bmpSpecial.has(r) != special {
			t.Fatalf("bmpSpecial.has(%U) = %v", r, !special)
		}
		if bmpCombining.has(r) != unicode.In(r, unicode.Mn, unicode.Me) {
			t.Fatalf("bmpCombining.has(%U) wrong", r)
		}
		if bmpMarks.has(r) != unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc) {
			t.Fatalf("bmpMarks.has(%U) wrong", r)
		}
	}
}
