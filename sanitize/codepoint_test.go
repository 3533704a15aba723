package sanitize

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// widthCases are the texts that broke the inbox inside tmux, and their
// neighbours. For each: the width lipgloss gives it (grapheme), the sum
// of its code points' widths (wcwidth), the cursor advance a real tmux
// 3.3a and GNU screen 4.09 (glibc 2.36) gave it, its Codepoint form (cp),
// and that form's width, which every count agrees on: lipgloss, wcwidth,
// tmux and screen alike.
// A case marked script holds clusters of several cells (Devanagari
// vowel signs and conjuncts, a run of Hangul initials); there lipgloss
// counts fewer cells than tmux draws, never more. TestTmuxWidths and
// TestScreenWidths measure again when tmux or screen is installed.
var widthCases = []struct {
	name                            string
	in                              string
	grapheme, wcwidth, tmux, screen int
	cp                              string
	cpWidth                         int
	script                          bool
}{
	{"ASCII", "abc", 3, 3, 3, 3, "abc", 3, false},
	{"CJK", "日本語", 6, 6, 6, 6, "日本語", 6, false},
	{"ZWJFamily", "👨\u200d👩\u200d👧\u200d👦", 2, 8, 2, 8, "👨👩👧👦", 8, false},
	{"ZWJProfession", "👩\u200d💻", 2, 4, 2, 4, "👩💻", 4, false},
	{"ZWJBetweenCJK", "日\u200d日", 4, 4, 2, 4, "日日", 4, false},
	{"ZWJAfterASCII", "x\u200d👍", 3, 3, 1, 3, "x👍", 3, false},
	{"ZWNJ", "日\u200c日", 4, 4, 4, 4, "日\u200c日", 4, false},
	{"Flag", "🇫🇷", 2, 2, 2, 2, "🇫🇷", 2, false},
	{"TwoFlags", "🇫🇷🇩🇪", 4, 4, 4, 4, "🇫🇷🇩🇪", 4, false},
	{"RegionalIndicatorAlone", "🇫", 2, 1, 1, 1, "\ufffd", 1, false},
	{"FlagAndLoneIndicator", "🇫🇷🇩", 4, 3, 3, 3, "🇫🇷\ufffd", 3, false},
	{"SubdivisionFlag", "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", 2, 2, 2, 2,
		"🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", 2, false},
	{"SkinTone", "👍🏽", 2, 4, 4, 4, "👍", 2, false},
	{"SkinToneThenText", "👍🏽x", 3, 5, 5, 5, "👍x", 3, false},
	{"HeartVS16", "❤\ufe0f", 2, 1, 1, 1, "❤", 1, false},
	{"SmileVS16", "☺\ufe0f", 2, 1, 1, 1, "☺", 1, false},
	{"SmileTextDefault", "☺", 1, 1, 1, 1, "☺", 1, false},
	{"WatchVS15", "⌚\ufe0e", 2, 2, 2, 2, "⌚", 2, false},
	{"Keycap", "1\ufe0f\u20e3", 1, 1, 1, 1, "1\u20e3", 1, false},
	{"Combining", "e\u0301", 1, 1, 1, 1, "e\u0301", 1, false},
	{"Zalgo", "Z\u0334\u0321\u0322\u031b\u0338\u0337a\u0337l\u0338g\u0336o\u0335", 5, 5, 5, 5,
		"Z\u0334\u0321\u0322\u031ba\u0337l\u0338g\u0336o\u0335", 5, false},
	{"HangulJamo", "\u1112\u1161\u11ab", 2, 2, 2, 2, "\u1112\u1161\u11ab", 2, false},
	{"HangulSyllable", "한", 2, 2, 2, 2, "한", 2, false},
	{"HangulVowelAlone", "a\u1161", 2, 1, 1, 1, "a\ufffd", 2, false},
	{"HangulInitials", "\u1100\u1100", 2, 4, 4, 4, "\u1100\u1100", 4, true},
	{"Devanagari", "नमस्ते", 3, 4, 4, 4, "नमस्ते", 4, true},
	{"DevanagariVowelSign", "का", 1, 2, 2, 2, "का", 2, true},
	{"DevanagariZWJ", "क्\u200dष", 1, 2, 1, 2, "क्ष", 2, true},
	{"Thai", "ที่", 1, 1, 1, 1, "ที่", 1, false},
	{"Hebrew", "שָׁלוֹם", 4, 4, 4, 4, "שָׁלוֹם", 4, false},
	{"Vietnamese", "Tiếng Việt", 10, 10, 10, 10, "Tiếng Việt", 10, false},
	{"Unicode15Emoji", "\U0001FAE8", 2, 2, 0, 1, "\ufffd", 1, false},
	{"UnassignedEmoji", "\U0001FAE9", 2, 2, 0, 1, "\ufffd", 1, false},
	{"WidthChangedTrigram", "☰", 2, 2, 1, 1, "\ufffd", 1, false},
	{"Issue", "Deploy 👩\u200d💻 🇫🇷 👍🏽 Z\u0334\u0321\u0322\u031ba\u0337l\u0338g\u0336o\u0335", 21, 25, 23, 25,
		"Deploy 👩💻 🇫🇷 👍 Z\u0334\u0321\u0322\u031ba\u0337l\u0338g\u0336o\u0335", 23, false},
}

// wcwidth sums the widths of the code points of s, the way tmux and
// screen count them (tmux's ZWJ rule aside: see codepointRule).
func wcwidth(s string) int {
	n := 0
	for _, r := range s {
		n += cpWidth(r)
	}
	return n
}

func TestWidthModes(t *testing.T) {
	for _, tc := range widthCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Grapheme.Width(tc.in); got != tc.grapheme {
				t.Errorf("Grapheme.Width(%q) = %d, want %d", tc.in, got, tc.grapheme)
			}
			if lg := lipgloss.Width(tc.in); lg != Grapheme.Width(tc.in) {
				t.Errorf("Grapheme.Width(%q) = %d but lipgloss.Width = %d", tc.in, Grapheme.Width(tc.in), lg)
			}
			if got := wcwidth(tc.in); got != tc.wcwidth {
				t.Errorf("wcwidth(%q) = %d, want %d", tc.in, got, tc.wcwidth)
			}
			if got := Grapheme.Line(tc.in); got != Line(tc.in) {
				t.Errorf("Grapheme.Line(%q) = %q, Line = %q", tc.in, got, Line(tc.in))
			}
			cp := Codepoint.Line(tc.in)
			if cp != tc.cp {
				t.Errorf("Codepoint.Line(%q) = %+q, want %+q", tc.in, cp, tc.cp)
			}
			if again := Codepoint.Line(cp); again != cp {
				t.Errorf("Codepoint.Line not idempotent: %+q -> %+q", cp, again)
			}
			if got := Codepoint.Text(tc.in); got != cp {
				t.Errorf("Codepoint.Text(%q) = %+q, Line gives %+q", tc.in, got, cp)
			}
			if got := Codepoint.Width(cp); got != tc.cpWidth {
				t.Errorf("Codepoint.Width(%+q) = %d, want %d", cp, got, tc.cpWidth)
			}
			if got := wcwidth(cp); got != tc.cpWidth {
				t.Errorf("wcwidth(%+q) = %d, want %d", cp, got, tc.cpWidth)
			}
			lg := lipgloss.Width(cp)
			if lg > tc.cpWidth || !tc.script && lg != tc.cpWidth {
				t.Errorf("lipgloss.Width(%+q) = %d, Codepoint.Width = %d", cp, lg, tc.cpWidth)
			}
		})
	}
}

// TestTmuxWidths prints every case in a tmux pane and reads the cursor:
// the Codepoint form of each must advance it by exactly Codepoint.Width.
// The columns of the raw texts depend on tmux's version and the C
// library; they are checked for tmux 3.3a and logged otherwise.
func TestTmuxWidths(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	if testing.Short() {
		t.Skip("starts tmux")
	}
	tm := startTmux(t)
	version := tm.run("-V")
	for _, tc := range widthCases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tm.advance(Codepoint.Line(tc.in)); got != tc.cpWidth {
				t.Errorf("tmux advanced %d cells for %+q, Codepoint.Width says %d", got, Codepoint.Line(tc.in), tc.cpWidth)
			}
			if got := tm.advance(tc.in); got != tc.tmux {
				if version == "tmux 3.3a" {
					t.Errorf("tmux advanced %d cells for %+q, want %d", got, tc.in, tc.tmux)
				} else {
					t.Logf("%s advanced %d cells for %+q (tmux 3.3a: %d)", version, got, tc.in, tc.tmux)
				}
			}
		})
	}
}

// tmuxServer is a private tmux server with one pane of 250x10 cells.
type tmuxServer struct {
	t          *testing.T
	sock, file string
}

func startTmux(t *testing.T) *tmuxServer {
	dir := t.TempDir()
	tm := &tmuxServer{t: t, sock: filepath.Join(dir, "sock"), file: filepath.Join(dir, "case")}
	tm.run("-f", "/dev/null", "new-session", "-d", "-x", "250", "-y", "10", "-s", "w", "sleep 600")
	t.Cleanup(func() { _ = exec.Command("tmux", "-S", tm.sock, "kill-server").Run() })
	return tm
}

func (tm *tmuxServer) run(args ...string) string {
	tm.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "tmux", append([]string{"-u", "-S", tm.sock}, args...)...)
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out.String())
	}
	return strings.TrimSpace(out.String())
}

// advance prints s at the top left of a cleared pane and returns the
// cursor's column afterwards.
func (tm *tmuxServer) advance(s string) int {
	tm.t.Helper()
	if err := os.WriteFile(tm.file, []byte(s), 0o600); err != nil {
		tm.t.Fatal(err)
	}
	script := fmt.Sprintf(`printf '\033[H\033[2J'; cat %q; tmux -S %q wait-for -S printed; exec sleep 600`, tm.file, tm.sock)
	tm.run("respawn-pane", "-k", "-t", "w", script)
	tm.run("wait-for", "printed")
	x, err := strconv.Atoi(tm.run("display", "-p", "-t", "w", "#{cursor_x}"))
	if err != nil {
		tm.t.Fatal(err)
	}
	return x
}

// TestScreenWidths is TestTmuxWidths for GNU screen, whose cursor
// position "screen -Q info" reports.
func TestScreenWidths(t *testing.T) {
	if _, err := exec.LookPath("screen"); err != nil {
		t.Skip("screen is not installed")
	}
	if testing.Short() {
		t.Skip("starts screen")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil { // screen insists
		t.Fatal(err)
	}
	out, _ := exec.Command("screen", "-v").Output()
	version := strings.Join(strings.Fields(string(out))[:3], " ")
	for i, tc := range widthCases {
		t.Run(tc.name, func(t *testing.T) {
			cp := Codepoint.Line(tc.in)
			if got := screenAdvance(t, dir, i, cp, tc.cpWidth); got != tc.cpWidth {
				t.Errorf("screen advanced %d cells for %+q, Codepoint.Width says %d", got, cp, tc.cpWidth)
			}
			if got := screenAdvance(t, dir, i, tc.in, tc.screen); got != tc.screen {
				if strings.HasPrefix(version, "Screen version 4.09") {
					t.Errorf("screen advanced %d cells for %+q, want %d", got, tc.in, tc.screen)
				} else {
					t.Logf("%s advanced %d cells for %+q (4.09: %d)", version, got, tc.in, tc.screen)
				}
			}
		})
	}
}

// screenAdvance prints s in a new detached screen session and returns the
// cursor's column once it reaches want, or after two seconds.
func screenAdvance(t *testing.T, dir string, i int, s string, want int) int {
	t.Helper()
	file := filepath.Join(dir, "case")
	if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "SCREENDIR="+dir, "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	name := fmt.Sprintf("pobox-width-%d-%d", os.Getpid(), i)
	screen := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, "screen", args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := screen("-U", "-dmS", name, "sh", "-c", "cat \"$0\"; exec sleep 60", file); err != nil {
		t.Fatalf("screen: %v\n%s", err, out)
	}
	defer func() { _, _ = screen("-S", name, "-X", "quit") }()
	x := -1
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out, err := screen("-S", name, "-Q", "info")
		if err != nil {
			continue
		}
		// "(x,y)/(w,h)+..." with a 1-based x.
		if col, _, ok := strings.Cut(strings.TrimPrefix(strings.TrimSpace(out), "("), ","); ok {
			if n, err := strconv.Atoi(col); err == nil {
				x = n - 1
			}
		}
		if x == want {
			break
		}
	}
	return x
}

// TestCodepointNeverWiderThanLipgloss checks every code point, alone,
// doubled and after a wide base, in Codepoint mode: lipgloss (and so
// Bubble Tea's renderer) must never count more cells than tmux draws,
// or a frame line would be cut by Bubble Tea and leave stale cells.
func TestCodepointNeverWiderThanLipgloss(t *testing.T) {
	step := rune(1)
	if testing.Short() || raceEnabled {
		step = 13
	}
	var buf strings.Builder
	for r := rune(0xa0); r <= 0x10ffff; r += step {
		if r >= 0xd800 && r <= 0xdfff {
			continue
		}
		c := string(r)
		for _, s := range []string{c, c + c, "日" + c, "a" + c + "b"} {
			out := Codepoint.Line(s)
			if lg, cw := ansi.StringWidth(out), Codepoint.Width(out); lg > cw {
				fmt.Fprintf(&buf, "%U in %+q -> %+q: lipgloss %d, codepoint %d\n", r, s, out, lg, cw)
			}
		}
	}
	if buf.Len() > 0 {
		t.Error(buf.String())
	}
}

// TestCpWidth checks the widths per code point where they differ from
// displaywidth's.
func TestCpWidth(t *testing.T) {
	tests := []struct {
		r    rune
		want int
	}{
		{'a', 1}, {'日', 2}, {0x301, 0}, {0x200d, 0}, {0xfe0f, 0}, {0x1f44d, 2}, {0x1f3fd, 2},
		{0x1f1eb, 1}, {0x1161, 0}, {0x11a8, 0}, {0xd7b0, 0}, {0x1100, 2}, {0x93e, 1},
		{0x2630, 2}, {0x268a, 2}, {0x3248, 2}, {0x1d300, 2}, {0x1d376, 2}, {0x2638, 1},
		{0xad, 1}, {0x600, 1}, {0x110bd, 1}, {0x7f, 0}, {0x1b, 0},
	}
	for _, tc := range tests {
		if got := cpWidth(tc.r); got != tc.want {
			t.Errorf("cpWidth(%U) = %d, want %d", tc.r, got, tc.want)
		}
	}
}

func TestParseWidthMode(t *testing.T) {
	tests := []struct {
		in   string
		want WidthMode
		err  bool
	}{
		{"auto", Auto, false},
		{"", Auto, false},
		{"grapheme", Grapheme, false},
		{"Codepoint", Codepoint, false},
		{" codepoint ", Codepoint, false},
		{"wcwidth", Auto, true},
	}
	for _, tc := range tests {
		got, err := ParseWidthMode(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("ParseWidthMode(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
		if err == nil && tc.in != "" {
			if back, _ := ParseWidthMode(got.String()); back != got {
				t.Errorf("%v does not survive String", got)
			}
		}
	}
	var m WidthMode
	if err := m.UnmarshalText([]byte("codepoint")); err != nil || m != Codepoint {
		t.Errorf("UnmarshalText = %v, %v", m, err)
	}
	if b, _ := Grapheme.MarshalText(); string(b) != "grapheme" {
		t.Errorf("MarshalText = %q", b)
	}
}

func TestDetectWidthMode(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want WidthMode
	}{
		{"Plain", map[string]string{"TERM": "xterm-256color"}, Grapheme},
		{"Empty", nil, Grapheme},
		{"TMUX", map[string]string{"TMUX": "/tmp/tmux-0/default,1,0", "TERM": "xterm-256color"}, Codepoint},
		{"STY", map[string]string{"STY": "1234.pts-0.host"}, Codepoint},
		{"TermScreen", map[string]string{"TERM": "screen-256color"}, Codepoint},
		{"TermScreenBare", map[string]string{"TERM": "screen"}, Codepoint},
		{"TermTmux", map[string]string{"TERM": "tmux-256color"}, Codepoint},
		{"TermXtermScreenLike", map[string]string{"TERM": "xterm-screen"}, Grapheme},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			getenv := func(k string) string { return tc.env[k] }
			if got := DetectWidthMode(getenv); got != tc.want {
				t.Errorf("DetectWidthMode = %v, want %v", got, tc.want)
			}
			if got := Auto.Resolve(getenv); got != tc.want {
				t.Errorf("Auto.Resolve = %v, want %v", got, tc.want)
			}
			if got := Grapheme.Resolve(getenv); got != Grapheme {
				t.Errorf("Grapheme.Resolve = %v", got)
			}
		})
	}
}

// TestSetWidthMode switches the process-wide mode while other goroutines
// read it (run with -race).
func TestSetWidthMode(t *testing.T) {
	defer SetWidthMode(Grapheme)
	const heart = "❤\ufe0f"
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if w := Width(Line(heart)); w != 1 && w != 2 {
					t.Errorf("Width = %d", w)
				}
			}
		}()
	}
	for range 50 {
		SetWidthMode(Codepoint)
		SetWidthMode(Grapheme)
	}
	wg.Wait()
	SetWidthMode(Codepoint)
	if CurrentWidthMode() != Codepoint || Line(heart) != "❤" || Truncate("👍🏽👍🏽", 3, "") != "👍" {
		t.Errorf("package functions ignore SetWidthMode(Codepoint): %q", Line(heart))
	}
	SetWidthMode(Grapheme)
	if CurrentWidthMode() != Grapheme || Line(heart) != heart {
		t.Errorf("package functions ignore SetWidthMode(Grapheme)")
	}
	t.Setenv("TMUX", "/tmp/tmux-0/default,1,0")
	SetWidthMode(Auto)
	if CurrentWidthMode() != Codepoint {
		t.Errorf("SetWidthMode(Auto) inside tmux = %v", CurrentWidthMode())
	}
}

func TestCodepointText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"NewlinesKept", "👩\u200d💻\n❤\ufe0f", "👩💻\n❤"},
		{"FlagSplitByEscape", "🇫\x1b[m🇷", "\ufffd\ufffd"},
		{"FlagsInARow", "🇫🇷🇩🇪🇮", "🇫🇷🇩🇪\ufffd"},
		{"LoneIndicatorThenFlag", "🇫 🇫🇷", "\ufffd 🇫🇷"},
		{"JamoAfterSyllable", "가\u11a8", "가\u11a8"},
		{"JamoVowelAfterVowel", "\u1100\u1161\u1162", "\u1100\u1161\u1162"},
		{"JamoFinalAlone", "x\u11a8", "x\ufffd"},
		{"JamoAfterSpace", "\u1100 \u1161", "\u1100 \ufffd"},
		{"ModifierAlone", "a🏽b", "ab"},
		{"PrivateUseKept", "\uE0A0 main", "\uE0A0 main"},
		{"UnassignedBMP", "a\u0378b", "a\ufffdb"},
		{"Noncharacter", "a\uFFFEb", "a\ufffdb"},
		{"ZWJOnlyRemoved", "a\u200db", "ab"},
		{"MarksCapStill", "a" + strings.Repeat("\u0301", 9), "a\u0301\u0301\u0301\u0301"},
		{"FillersStill", "\u3164x\u2800", "x"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Codepoint.Text(tc.in); got != tc.want {
				t.Errorf("Codepoint.Text(%q) = %+q, want %+q", tc.in, got, tc.want)
			}
			if got := Auto.Text(tc.in); got != tc.want {
				t.Errorf("Auto.Text(%q) = %+q, want the Codepoint form %+q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTruncateCodepoint(t *testing.T) {
	family := "👨\u200d👩\u200d👧"
	tests := []struct {
		name  string
		in    string
		width int
		tail  string
		want  string
	}{
		{"FamilySplitIntoPeople", family, 5, "…", "👨👩…"},
		{"FamilyFits", family, 6, "…", "👨👩👧"},
		{"SkinTonesDropped", "👍🏽👍🏽👍🏽", 5, "…", "👍👍…"},
		{"HeartsNarrow", "❤\ufe0f❤\ufe0f❤\ufe0f", 3, "…", "❤❤❤"},
		{"Devanagari", "नमस्ते नमस्ते", 6, "…", "नमस्ते…"},
		{"ASCII", "hello world", 8, "…", "hello w…"},
		{"CJKNotSplit", "日本語テキスト", 5, "…", "日本…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Codepoint.Truncate(tc.in, tc.width, tc.tail)
			if got != tc.want {
				t.Errorf("Codepoint.Truncate(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
			}
			if w := wcwidth(got); w > tc.width {
				t.Errorf("%q is %d cells to tmux", got, w)
			}
		})
	}
}

func TestCut(t *testing.T) {
	const (
		red  = "\x1b[31m"
		rst  = "\x1b[0m"
		link = "\x1b]8;;https://example.com/a;b\x1b\\"
		end  = "\x1b]8;;\x1b\\"
	)
	tests := []struct {
		name      string
		mode      WidthMode
		in        string
		width     int
		want      string
		wantWidth int
	}{
		{"Fits", Codepoint, red + "abc" + rst, 3, red + "abc" + rst, 3},
		{"CutKeepsEscapes", Codepoint, red + "abcdef" + rst + link + "x" + end, 4, red + "abcd" + rst + link + end, 4},
		{"CodepointFamily", Codepoint, "|👨\u200d👩\u200d👧|", 5, "|👨\u200d👩", 5},
		{"MarksStayWithBase", Codepoint, "abe\u0301\u0301cd", 3, "abe\u0301\u0301", 3},
		{"MarksAfterCutDropped", Codepoint, "ab日\u0301cd", 3, "ab", 2},
		{"WideAtEdge", Codepoint, "a日", 2, "a", 1},
		{"Zero", Codepoint, red + "abc" + rst, 0, red + rst, 0},
		{"OSCWithBEL", Codepoint, "\x1b]8;;https://x.io\x07abc\x1b]8;;\x07", 2, "\x1b]8;;https://x.io\x07ab\x1b]8;;\x07", 2},
		{"GraphemeIsAnsiTruncate", Grapheme, red + "👨\u200d👩\u200d👧xyz" + rst, 3, red + "👨\u200d👩\u200d👧x" + rst, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.mode.Cut(tc.in, tc.width)
			if got != tc.want {
				t.Errorf("%v.Cut(%q, %d) = %q, want %q", tc.mode, tc.in, tc.width, got, tc.want)
			}
			if w := tc.mode.Width(got); w != tc.wantWidth {
				t.Errorf("%v.Width(%q) = %d, want %d", tc.mode, got, w, tc.wantWidth)
			}
			if tc.mode == Codepoint && wcwidth(ansi.Strip(got)) > tc.width {
				t.Errorf("%q is wider than %d to tmux", got, tc.width)
			}
		})
	}
	s := red + "plain" + rst
	if allocs := testing.AllocsPerRun(100, func() { _ = Codepoint.Cut(s, 80) }); allocs != 0 {
		t.Errorf("Cut of a fitting line allocated %.0f times", allocs)
	}
}

func TestWidthStyled(t *testing.T) {
	s := "\x1b[1m日本\x1b[0m \x1b]8;;https://x.io\x1b\\❤\x1b]8;;\x1b\\"
	if got := Codepoint.Width(s); got != 6 {
		t.Errorf("Codepoint.Width(%q) = %d, want 6", s, got)
	}
	if got := Grapheme.Width(s); got != 6 {
		t.Errorf("Grapheme.Width(%q) = %d, want 6", s, got)
	}
}
