package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pobox/cache"
	"pobox/sanitize"
)

// TestTableFitsTheWidth: no line of the table is wider than asked, whatever
// the sender put in the title, and nothing is cut without a width.
func TestTableFitsTheWidth(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.Local)
	ms := []cache.Message{
		{ID: 1 << 60, Title: "数据库故障 🔥🔥🔥 " + strings.Repeat("wide ", 40), App: "监控系统🛰️ monitoring", Date: now.Unix(), Priority: 2, Receipt: "r"},
		{ID: 12, Title: "a\x1b[31mred\x1b[0m\ttab", Message: "line\nbreak\r\x07bell", App: "x", Date: now.Unix() - 86400*400},
		{ID: 11, Title: "<b>html</b>", Message: "<i>it</i> &amp; more", HTML: true, App: "h", Date: now.Unix() - 3600},
	}
	for _, width := range []int{0, 1, 10, 30, 52, 60, 61, 80, 200} {
		var b bytes.Buffer
		tbl := newTable(&b, width, now)
		for _, m := range ms {
			tbl.row(m)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != len(ms)+1 {
			t.Fatalf("width %d: %d lines", width, len(lines))
		}
		for _, l := range lines {
			if width > 0 && sanitize.Width(l) > width {
				t.Errorf("width %d: line of %d cells: %q", width, sanitize.Width(l), l)
			}
			if l != sanitize.Line(l) && strings.ContainsAny(l, "\x1b\x07\t\r") {
				t.Errorf("width %d: control characters in %q", width, l)
			}
		}
		if width == 0 && !strings.Contains(b.String(), strings.Repeat("wide ", 39)+"wide") {
			t.Errorf("no width, yet the title was cut:\n%s", b.String())
		}
		if width == 200 && !strings.Contains(lines[2], "ared tab: line break bell") {
			t.Errorf("row %q", lines[2])
		}
	}
}

func TestParseWhen(t *testing.T) {
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", time.Time{}, true},
		{"2h", now.Add(-2 * time.Hour), true},
		{"90m", now.Add(-90 * time.Minute), true},
		{"3d", now.Add(-72 * time.Hour), true},
		{"1.5d", now.Add(-36 * time.Hour), true},
		{"1w", now.Add(-7 * 24 * time.Hour), true},
		{"2026-12-01", time.Date(2026, 12, 1, 0, 0, 0, 0, time.Local), true},
		{"2026-12-01T15:04", time.Date(2026, 12, 1, 15, 4, 0, 0, time.Local), true},
		{"2026-12-01T15:04:05Z", time.Date(2026, 12, 1, 15, 4, 5, 0, time.UTC), true},
		{"2026-12-01T15:04:05+02:00", time.Date(2026, 12, 1, 13, 4, 5, 0, time.UTC), true},
		{"-2h", time.Time{}, false},
		{"-1d", time.Time{}, false},
		{"yesterday", time.Time{}, false},
		{"2026-13-01", time.Time{}, false},
		{"d", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := parseWhen(tt.in, now)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseWhen(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestListFitsTmux: inside tmux, which counts cells per code point, no
// line of the table is wider than the terminal, whatever the titles hold
// (a skin tone doubles an emoji's width there).
func TestListFitsTmux(t *testing.T) {
	dir := configEnv(t)
	t.Setenv("TMUX", "/tmp/tmux-1000/default,1234,0")
	t.Setenv("COLUMNS", "60")
	t.Cleanup(func() { sanitize.SetWidthMode(sanitize.Grapheme) })
	ctx := context.Background()
	db, err := cache.Open(ctx, filepath.Join(dir, "data", "pobox", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	dev, err := db.UseDevice(ctx, "dev1", "laptop")
	if err != nil {
		t.Fatal(err)
	}
	titles := []string{strings.Repeat("👍🏽", 40), strings.Repeat("👨‍👩‍👧", 20), strings.Repeat("🇫🇷e\u0301", 30), "plain"}
	var ms []cache.Message
	for i, title := range titles {
		ms = append(ms, cache.Message{ID: int64(i + 1), Title: title, Message: "body", App: "app 🛰️", Date: time.Now().Unix()})
	}
	if _, err := db.Ingest(ctx, cache.Batch{Device: dev.N, Messages: ms}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	var out, errOut bytes.Buffer
	if code := run(ctx, &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}, []string{"list"}); code != ExitOK {
		t.Fatalf("exit status %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != len(titles)+1 {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(titles)+1, out.String())
	}
	for _, l := range lines {
		if w := sanitize.Codepoint.Width(l); w > 60 {
			t.Errorf("a line of %d cells as tmux counts them, in 60: %q", w, l)
		}
	}
}

// TestListAlignsIDsOfDevices: ids count per device, so the newest row (a
// new device's) may carry the shortest id; every row's columns still
// line up under the header.
func TestListAlignsIDsOfDevices(t *testing.T) {
	ctx := context.Background()
	db, err := cache.Open(ctx, filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().Unix()
	for _, d := range []struct {
		id, name string
		msgID    int64
	}{{"dev1", "laptop", 1563}, {"dev2", "desk", 3}} {
		dev, err := db.UseDevice(ctx, d.id, d.name)
		if err != nil {
			t.Fatal(err)
		}
		m := cache.Message{ID: d.msgID, Title: d.name + " title", App: "app", Date: now}
		if _, err := db.Ingest(ctx, cache.Batch{Device: dev.N, Messages: []cache.Message{m}}); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := printList(ctx, &out, 0, db, 0, messageFilter{}, false, 0); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	col, date := strings.Index(lines[0], "DATE"), shortDate(time.Unix(now, 0), time.Now())
	for _, l := range lines[1:] {
		if col < 0 || len(l) < col || !strings.HasPrefix(l[col:], date) {
			t.Errorf("the date is not under DATE (column %d) in %q:\n%s", col, l, out.String())
		}
	}
}
