package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"pobox/cache"
	"pobox/themes"
)

// benchFixture is a cache of 100,000 messages, built once per test binary
// run in a temporary directory.
var benchFixture struct {
	once sync.Once
	dir  string
	path string
	err  error
}

const benchMessages = 100_000

// bigCache returns the path of the 100,000-message cache.
func bigCache(tb testing.TB) string {
	tb.Helper()
	f := &benchFixture
	f.once.Do(func() {
		f.dir, f.err = os.MkdirTemp("", "pobox-ui-bench-")
		if f.err != nil {
			return
		}
		f.path = filepath.Join(f.dir, "cache.db")
		f.err = fillCache(f.path, benchMessages)
	})
	if f.err != nil {
		tb.Fatal(f.err)
	}
	return f.path
}

// fillCache ingests n varied messages in batches.
func fillCache(path string, n int) error {
	ctx := context.Background()
	db, err := cache.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.UseDevice(ctx, testDevice, "pobox"); err != nil {
		return err
	}
	apps := []string{"Backups", "Monitoring", "Deploys", "Home", "CI", "Cron", "Mail", "Bank"}
	words := strings.Fields("disk cpu load backup deploy door build test alert report nightly failover latency " +
		"service restart queue timeout memory swap network packet loss")
	const batch = 5000
	base := testNow.Add(-time.Duration(n) * time.Minute).Unix()
	for start := 0; start < n; start += batch {
		ms := make([]cache.Message, 0, batch)
		for i := start; i < min(start+batch, n); i++ {
			w := words[i%len(words)]
			m := cache.Message{
				ID: int64(i + 1), UMID: int64(i + 1), AID: int64(i%len(apps) + 1), App: apps[i%len(apps)],
				Title:   fmt.Sprintf("%s %s on host-%d", strings.ToUpper(w[:1])+w[1:], words[(i/7)%len(words)], i%97),
				Message: fmt.Sprintf("Message %d: the %s check reported %d%% on host-%d. %s", i, w, i%100, i%97, strings.Repeat(w+" ", i%9)),
				Date:    base + int64(i)*60, Priority: i%5 - 2,
			}
			if m.Priority == 2 {
				m.Priority = 1 // no unacknowledged emergency: no banner
			}
			ms = append(ms, m)
		}
		if _, err := db.Ingest(ctx, cache.Batch{Device: 1, Messages: ms}); err != nil {
			return err
		}
	}
	return nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchFixture.dir != "" {
		os.RemoveAll(benchFixture.dir)
	}
	os.Exit(code)
}

// BenchmarkKeypress measures Update and View for one `down` key press at
// 200x50 with 100,000 cached messages, including the window reads the
// moves cause (run synchronously here, as Cmds in the program), with the
// styles of a true-colour terminal (an Ascii profile would hide the cost
// of colour: every style renders as plain text there).
func BenchmarkKeypress(b *testing.B) { benchKeypress(b, trueColorStyles(), true) }

// BenchmarkKeypressAscii is BenchmarkKeypress without colour.
func BenchmarkKeypressAscii(b *testing.B) { benchKeypress(b, asciiStyles(), false) }

// trueColorStyles are the default theme's styles on a dark true-colour
// terminal.
func trueColorStyles() *themes.Styles {
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.TrueColor)
	r.SetHasDarkBackground(true)
	s := themes.NewStyles(themes.Default(), r)
	return &s
}

// benchKeypress measures with st; colour says whether its screens hold
// 24-bit colour sequences.
func benchKeypress(b *testing.B, st *themes.Styles, colour bool) {
	db, err := cache.Open(context.Background(), bigCache(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	opts := Options{DB: db, Styles: st, Now: fixedNow, Title: "pobox", tick: noTick}
	d := newDriver(b, opts, 200, 50)
	down := tea.KeyMsg{Type: tea.KeyDown}
	top := keys("g")
	if v := d.view(); !strings.Contains(v, "100000 total") {
		b.Fatalf("fixture not on screen:\n%s", v)
	}
	if strings.Contains(d.view(), "\x1b[38;2;") != colour {
		b.Fatalf("24-bit colour on screen: %v, want %v", !colour, colour)
	}
	b.ReportAllocs()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		d.send(down)
		_ = d.view()
		lat = append(lat, time.Since(start))
		if d.inbox().list.atBottom && d.inbox().list.cursor == len(d.inbox().list.rows)-1 {
			b.StopTimer()
			d.send(top...)
			b.StartTimer()
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Nanoseconds()) / 1e3 }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(pct(1), "max-µs")
}
