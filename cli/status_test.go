package cli

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pobox/cache"
	"pobox/session"
	inboxsync "pobox/sync"
)

// TestStatusTextIsClean: what the status text shows from the session
// file and from the holder's record (an error that may quote a server)
// reaches the terminal without control characters.
func TestStatusTextIsClean(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	r := &statusReport{LoggedIn: true, User: "u1234…5678", Device: "lap\x1b[2Jtop", DeviceID: "id\x07", Cache: "/c", CacheFound: true, Held: true}
	r.Link = inboxsync.LinkStatus{State: "reconnecting", At: now, Err: "dial: bad handshake \x1b]0;pwned\x07\x1b[31mred"}
	var b bytes.Buffer
	r.print(&b, now)
	if strings.ContainsAny(b.String(), "\x1b\x07") || strings.Contains(b.String(), "pwned") {
		t.Errorf("control characters in the status:\n%q", b.String())
	}
	for _, want := range []string{"laptop (id id)", "reconnecting (dial: bad handshake red)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, b.String())
		}
	}
}

// BenchmarkStatus measures `pobox status --json` in process (the verb,
// without the process start) on a cache of 100,000 messages, logged in
// and logged out. The budget for the whole command is 50 ms.
func BenchmarkStatus(b *testing.B) {
	dir := b.TempDir()
	for k, v := range map[string]string{
		"HOME": filepath.Join(dir, "home"), "XDG_CONFIG_HOME": filepath.Join(dir, "config"),
		"XDG_DATA_HOME": filepath.Join(dir, "data"), "XDG_STATE_HOME": filepath.Join(dir, "state"),
		"POBOX_API_URL": "", "POBOX_WS_URL": "", "POBOX_CONFIG": "", "POBOX_THEME": "",
	} {
		b.Setenv(k, v)
	}
	ctx := context.Background()
	db, err := cache.Open(ctx, filepath.Join(dir, "data", "pobox", "cache.db"))
	if err != nil {
		b.Fatal(err)
	}
	dev, err := db.UseDevice(ctx, "dev1", "laptop")
	if err != nil {
		b.Fatal(err)
	}
	const n, batch = 100_000, 5000
	now := time.Now().Unix()
	for start := 1; start <= n; start += batch {
		ms := make([]cache.Message, 0, batch)
		for id := start; id < start+batch; id++ {
			m := cache.Message{ID: int64(id), UMID: int64(id), Title: fmt.Sprintf("title %d", id), Message: "body",
				App: fmt.Sprintf("app%d", id%7), Date: now - int64(n-id), Priority: id%5 - 2}
			if m.Priority == 2 {
				m.Receipt = fmt.Sprintf("r%029d", id)
			}
			ms = append(ms, m)
		}
		if _, err := db.Ingest(ctx, cache.Batch{Device: dev.N, Messages: ms}); err != nil {
			b.Fatal(err)
		}
	}
	db.Close()
	for _, logged := range []bool{true, false} {
		path := filepath.Join(dir, "config", "pobox", session.FileName)
		if logged {
			err := session.Save(path, &session.Stored{UserKey: "u123456789", Secret: "s", DeviceID: "dev1",
				DeviceName: "laptop", APIURL: "https://api.pushover.net", WSURL: "wss://client.pushover.net/push"})
			if err != nil {
				b.Fatal(err)
			}
		} else if err := session.Remove(path); err != nil {
			b.Fatal(err)
		}
		b.Run(map[bool]string{true: "LoggedIn", false: "LoggedOut"}[logged], func(b *testing.B) {
			want := map[bool]int{true: ExitOK, false: ExitNotLoggedIn}[logged]
			for b.Loop() {
				var out, errOut bytes.Buffer
				a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
				if code := run(ctx, a, []string{"status", "--json"}); code != want {
					b.Fatalf("exit status %d, want %d: %s", code, want, errOut.String())
				}
			}
		})
	}
}
