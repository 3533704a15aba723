package sandbox

import "strings"

// sample is one message of the demo corpus. app "" means the app of the
// token the caller passed (the demo app).
type sample struct {
	app, title, body, url, urlTitle, sound string
	priority                               int
	html, monospace                        bool
	tags                                   string
}

// The corpus covers every priority, the HTML subset, URLs with titles,
// long bodies, unicode (CJK, emoji, RTL, combining marks) and hostile text
// that clients must render safely. Exactly one sample is an emergency.
var samples = []sample{
	{app: "Backups", title: "Backup finished", body: "Database backup took 16 minutes.\n3 files, 12.4 GB, checksum verified."},
	{app: "CI", title: "Build #1234 failed", priority: 1, html: true, sound: "falling",
		body: `<b>main</b> failed on <i>test-race</i>: <font color="#ff3b30">3 tests failed</font>, <u>2 flaky</u>. See <a href="https://ci.example.com/builds/1234">the build log</a>.`,
		url:  "https://ci.example.com/builds/1234", urlTitle: "Open build #1234"},
	{app: "CI", title: "Build #1235 passed", html: true, sound: "magic",
		body: `<font color="#34c759">All 412 tests passed</font> on <b>main</b> in <i>2m 31s</i>.`},
	{app: "Monitoring", title: "Disk almost full", priority: 1, sound: "siren",
		body: "/var is 93% full on db-1 (2.1 GB left).\nLargest: /var/log/journal (18 GB)."},
	{app: "Monitoring", title: "Nightly statistics", priority: -2,
		body: "Requests: 1,204,331 · errors: 0.02% · p99: 184 ms"},
	{app: "Weather", title: "Rain tomorrow", priority: -1, sound: "none",
		body: "Showers from 14:00, 8 mm expected. Take an umbrella ☔"},
	{app: "Shop", title: "Your order has shipped", sound: "cashregister",
		body: "Order 98-1142 left the warehouse and should arrive on Thursday.",
		url:  "https://shop.example.com/orders/98-1142/track?carrier=dhl&ref=push", urlTitle: "Track the parcel"},
	{app: "Family", title: "家族のお知らせ", sound: "bike",
		body: "今晩は七時に夕食です。🍣 遅れる場合は連絡してください。\n晚饭七点开始。오늘 저녁은 7시입니다."},
	{title: "🎉 Release v2.0 🚀", sound: "tugboat",
		body: "We shipped! 👩‍💻👨‍👩‍👧‍👦 🇯🇵🇧🇷 ✅ Thanks to everyone 🙏🏽 (ZWJ sequences, flags, skin tones)."},
	{app: "Home", title: "تنبيه: الباب الأمامي", sound: "incoming",
		body: "تم فتح الباب الأمامي في 18:42. שלום! This line mixes العربية, עברית and English."},
	{app: "Home", title: "Ẓ̴̡a̷l̸g̵o̶ says hi",
		body: "Combining marks: e\u0301 (decomposed é), a\u0308\u0304, Z̴̡̛a̷̢l̸̨g̵̡o̶̧ ̷t̴e̵x̸t, Hangul jamo \u1100\u1161\u11a8, Devanagari क्षि."},
	{app: "Backups", title: "Weekly report", sound: "classical", body: longBody()},
	{app: "Monitoring", title: "Top processes", monospace: true, sound: "mechanical",
		body: "PID   CPU%  MEM%  COMMAND\n1042  93.1  12.0  postgres\n2210  41.7   3.2  nginx\n   7   0.3   0.1  sshd"},
	{body: "A message without a title: the app name shows instead.", url: "https://shop.example.com/", urlTitle: strings.Repeat("Very long link label ", 5)[:100]},
	// Hostile text: terminal escapes (OSC 2 sets the window title, CSI
	// clears the screen and colours, OSC 8 fakes a link), C0/C1 controls,
	// bidi overrides and zero-width characters.
	{app: "Unknown", title: "\x1b]2;pwned\x07Invoice \x1b[31mOVERDUE\x1b[0m", priority: 1,
		body: "\x1b[2J\x1b[H\x1b[5mflashing\x1b[0m then \x1b]8;;https://evil.example/\x07a fake link\x1b]8;;\x07, a bell\a, a backspace\b, a C1 CSI \u009b31mred\u009b0m, a tab\tand CR\rhere."},
	{app: "Unknown", title: "Your invoice\u202efdp.exe",
		body: "Bidi override: invoice\u202efdp.exe. Zero-width: pay\u200bpal.com, soft\u00adhyphen, BOM \ufeff, LRM\u200e RLM\u200f, NUL \u0000 end."},
	{app: "Unknown", title: "HTML that must not run", html: true,
		body: `<script>alert(1)</script><img src=x onerror=alert(1)><a href="javascript:alert(1)">javascript link</a> <a href="https://example.com/ok">a fine link</a> <font color="red;background:url(x)">odd colour</font> <b><i>unclosed`},
	{app: "Family", title: "Shopping list", sound: "pianobar",
		body: "Milk\nBread\nEggs (12)\nCoffee ☕\n\nThanks!"},
	{app: "Home", title: "Washing machine done", priority: -1, sound: "gamelan", body: "Cycle finished after 1 h 32 min."},
	{app: "Weather", title: "Storm warning", priority: 1, sound: "spacealarm", html: true,
		body: `<b>Severe thunderstorm</b> expected from <u>17:00</u>. <a href="https://weather.example.com/alerts">Details</a>.`,
		url:  "https://weather.example.com/alerts/2231", urlTitle: "Official warning"},
	{app: "Monitoring", title: "db-1 is DOWN", priority: 2, sound: "persistent", tags: "demo,outage",
		body: "db-1 stopped answering health checks 3 times in a row. Acknowledge to stop the alarm."},
}

// longBody is a body of exactly 1,024 characters (the limit) with
// multi-byte characters, so that clients counting bytes are caught.
func longBody() string {
	var b strings.Builder
	b.WriteString("Summary of the week — ")
	words := []string{"backups", "succeeded", "on", "all", "seven", "nights;", "größte", "Datei", "war", "12 GB", "—", "naïve", "café", "résumé", "✓"}
	n := len([]rune(b.String()))
	for i := 0; n < 1024; i++ {
		w := words[i%len(words)] + " "
		if i%23 == 22 {
			w = "\n"
		}
		for _, r := range w {
			if n == 1024 {
				break
			}
			b.WriteRune(r)
			n++
		}
	}
	return b.String()
}
