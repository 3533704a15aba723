package sanitize

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

func TestWidth(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int
	}{
		{"Empty", "", 0},
		{"ASCII", "hello", 5},
		{"CJK", "日本語", 6},
		{"Hangul", "한국어", 6},
		{"FullwidthLatin", "ＡＢ", 4},
		{"Combining", "e\u0301", 1},
		{"ManyCombining", "a\u0301\u0302\u0303\u0304", 1},
		{"Emoji", "👍", 2},
		{"EmojiSkinTone", "👍🏽", 2},
		{"ZWJFamily", "👨\u200d👩\u200d👧\u200d👦", 2},
		{"ZWJProfession", "👩\u200d💻", 2},
		{"Flag", "🇩🇪", 2},
		{"TwoFlags", "🇩🇪🇫🇷", 4},
		{"SubdivisionFlag", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", 2},
		{"TextHeartVS16", "❤\uFE0F", 2},
		{"Mixed", "a日👍🏽e\u0301", 6},
		{"Devanagari", "नमस्ते", Width("नमस्ते")}, // whatever lipgloss says, checked below
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Width(tc.in); got != tc.want {
				t.Errorf("Width(%q) = %d, want %d", tc.in, got, tc.want)
			}
			if lg := lipgloss.Width(tc.in); lg != Width(tc.in) {
				t.Errorf("Width(%q) = %d but lipgloss.Width = %d", tc.in, Width(tc.in), lg)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	family := "👨\u200d👩\u200d👧"
	tests := []struct {
		name  string
		in    string
		width int
		tail  string
		want  string
	}{
		{"Fits", "hello", 5, "…", "hello"},
		{"ASCII", "hello world", 8, "…", "hello w…"},
		{"TrimSpaceBeforeTail", "hello world", 7, "…", "hello…"},
		{"NoTail", "hello world", 5, "", "hello"},
		{"ZeroWidth", "hello", 0, "…", ""},
		{"NegativeWidth", "hello", -3, "…", ""},
		{"TailWiderThanWidth", "hello", 2, "...", "he"},
		{"TailExactlyWidth", "hello", 1, "…", "…"},
		{"CJKNotSplit", "日本語テキスト", 5, "…", "日本…"},
		{"CJKOddWidth", "日本語", 3, "", "日"},
		{"EmojiNotSplit", "👍🏽👍🏽👍🏽", 5, "…", "👍🏽👍🏽…"},
		{"ZWJNotSplit", family + family + family, 5, "…", family + family + "…"},
		{"FlagNotSplit", "🇩🇪🇫🇷🇮🇹", 3, "", "🇩🇪"},
		{"CombiningKept", "e\u0301e\u0301e\u0301", 2, "", "e\u0301e\u0301"},
		{"Sanitizes", "a\x1b]2;x\x07b\ncd", 10, "…", "ab cd"},
		{"SanitizesBeforeCut", "\x1b[31mabcdef", 4, "…", "abc…"},
		{"TailSanitized", "abcdef", 4, "\x1b[31m>", "abc>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Truncate(tc.in, tc.width, tc.tail)
			if got != tc.want {
				t.Errorf("Truncate(%q, %d, %q) = %q, want %q", tc.in, tc.width, tc.tail, got, tc.want)
			}
			if w := Width(got); w > max(tc.width, 0) {
				t.Errorf("Truncate(%q, %d) is %d cells wide", tc.in, tc.width, w)
			}
			assertSafe(t, got, true)
		})
	}
}

// TestTruncateEveryWidth cuts mixed text at every width and checks that
// the result never exceeds it, never splits a cluster and is a prefix.
func TestTruncateEveryWidth(t *testing.T) {
	s := "Über 日本 👨\u200d👩\u200d👧 🇩🇪 e\u0301 ❤\uFE0F ok नमस्ते 한국"
	for w := 0; w <= Width(s)+1; w++ {
		got := Truncate(s, w, "")
		if Width(got) > w {
			t.Errorf("width %d: %q is %d cells", w, got, Width(got))
		}
		if !strings.HasPrefix(s, got) {
			t.Errorf("width %d: %q is not a prefix", w, got)
		}
		if rest := s[len(got):]; rest != "" && strings.HasPrefix(rest, "\u200d") || strings.HasPrefix(rest, "\u0301") || strings.HasPrefix(rest, "\uFE0F") {
			t.Errorf("width %d: %q splits a cluster", w, got)
		}
	}
}
