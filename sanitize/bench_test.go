package sanitize

import (
	"strings"
	"testing"
)

// benchRows are 50 list rows of about 200 columns, the work of one repaint
// of the list view at 200x50.
func benchRows(kind string) []string {
	var base string
	switch kind {
	case "ascii":
		base = "Backup finished on host db-01: 1,234 files, 56.7 GB copied in 12m03s; next run scheduled for tomorrow at 03:00 UTC. "
	case "unicode":
		base = "Überweisung eingegangen 💶 — 日本語のメッセージ 👨\u200d👩\u200d👧 🇩🇪 café e\u0301 ✔ Статус: готово. "
	case "hostile":
		base = "Deploy \x1b[31mFAILED\x1b[0m\x1b]2;owned\x07 on \u202Eprod\u202C\r\n\x1b]52;c;cm0gLXJmIH4=\x07 retry\x9b2J in 5m\x00. "
	}
	rows := make([]string, 50)
	for i := range rows {
		r := []rune(strings.Repeat(base, 200/len(base)+2))
		rows[i] = string(r[i%7 : 200+i%7])
	}
	return rows
}

// BenchmarkText sanitizes the 50 rows of one repaint with Line.
func BenchmarkText(b *testing.B) {
	for _, kind := range []string{"ascii", "unicode", "hostile"} {
		b.Run(kind, func(b *testing.B) {
			rows := benchRows(kind)
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range rows {
					_ = Line(r)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "µs/repaint")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
		})
	}
}

// BenchmarkTruncate fits the 50 rows of one repaint into 120 cells, the
// title column of a wide list.
func BenchmarkTruncate(b *testing.B) {
	for _, kind := range []string{"ascii", "unicode", "hostile"} {
		b.Run(kind, func(b *testing.B) {
			rows := benchRows(kind)
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range rows {
					_ = Truncate(r, 120, "…")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "µs/repaint")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
		})
	}
}

// BenchmarkHTML renders a typical html=1 body.
func BenchmarkHTML(b *testing.B) {
	body := `<b>Alert</b>: disk <font color="#ff0000">95%</font> full on <i>db-01</i>.<br>` +
		`See <a href="https://grafana.example/d/abc?var-host=db-01">the dashboard</a> &amp; act.`
	b.ReportAllocs()
	for b.Loop() {
		_ = HTML(body)
	}
}

// BenchmarkTextCodepoint is BenchmarkText in Codepoint mode (inside tmux).
func BenchmarkTextCodepoint(b *testing.B) {
	for _, kind := range []string{"ascii", "unicode", "hostile"} {
		b.Run(kind, func(b *testing.B) {
			rows := benchRows(kind)
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range rows {
					_ = Codepoint.Line(r)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "µs/repaint")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
		})
	}
}

// BenchmarkTruncateCodepoint is BenchmarkTruncate in Codepoint mode.
func BenchmarkTruncateCodepoint(b *testing.B) {
	for _, kind := range []string{"ascii", "unicode", "hostile"} {
		b.Run(kind, func(b *testing.B) {
			rows := benchRows(kind)
			b.ReportAllocs()
			for b.Loop() {
				for _, r := range rows {
					_ = Codepoint.Truncate(r, 120, "…")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "µs/repaint")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(rows)), "ns/row")
		})
	}
}

// BenchmarkCut cuts the 50 styled lines of one frame at 200x50 to the
// terminal's width, as the UI does before Bubble Tea sees them; each line
// fits, as laid out lines do.
func BenchmarkCut(b *testing.B) {
	for _, mode := range []WidthMode{Grapheme, Codepoint} {
		for _, kind := range []string{"ascii", "unicode"} {
			b.Run(mode.String()+"/"+kind, func(b *testing.B) {
				rows := benchRows(kind)
				lines := make([]string, len(rows))
				for i, r := range rows {
					t := mode.Truncate(r, 180, "…")
					lines[i] = "\x1b[1m" + t[:len(t)/2] + "\x1b[0m\x1b]8;;https://x.io/\x1b\\" + t[len(t)/2:] + "\x1b]8;;\x1b\\"
				}
				b.ReportAllocs()
				for b.Loop() {
					for _, l := range lines {
						_ = mode.Cut(l, 200)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "µs/frame")
			})
		}
	}
}
