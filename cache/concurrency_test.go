package cache

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestTwoConnectionsConcurrently: two DB handles on one file (as two pobox
// processes would have), each written and read from its own goroutines at
// the same time. Nothing may fail with "database is locked", and at the end
// both see every message.
func TestTwoConnectionsConcurrently(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	a, b := openAt(t, path), openAt(t, path)

	const writers, batches, size = 2, 15, 40
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	stop := make(chan struct{})
	for w := range writers {
		db := []*DB{a, b}[w]
		g := newGenerator(uint64(w), int64(w)*1_000_000+1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range batches {
				batch := g.batch(size)
				fresh, err := db.Ingest(ctx, Batch{Device: testDev, Messages: batch})
				if err != nil {
					errs <- err
					return
				}
				if err := db.SetRead(ctx, fresh[0].Key, true); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var readers sync.WaitGroup
	for _, db := range []*DB{a, b} {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := db.Older(ctx, Filter{Search: commonWord}, 0, 50); err != nil {
					errs <- err
					return
				}
				if _, err := db.Counts(ctx); err != nil {
					errs <- err
					return
				}
				if _, err := db.Changed(ctx); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, db := range []*DB{a, b} {
		c, err := db.Counts(ctx)
		must(t, err)
		if want := writers * batches * size; c.Total != want {
			t.Errorf("handle %d: Total = %d, want %d", i, c.Total, want)
		}
		if want := writers * batches * (size - 1); c.Unread != want {
			t.Errorf("handle %d: Unread = %d, want %d", i, c.Unread, want)
		}
	}
}

func TestChanged(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	writer, follower := openAt(t, path), openAt(t, path)

	expect := func(want bool, when string) {
		t.Helper()
		got, err := follower.Changed(ctx)
		must(t, err)
		if got != want {
			t.Errorf("Changed %s = %v, want %v", when, got, want)
		}
	}
	expect(false, "right after Open")
	mustIngest(t, writer, msg(1, "alpha"))
	expect(true, "after another handle ingested")
	expect(false, "when asked again")
	must(t, writer.SetRead(ctx, 1, true))
	expect(true, "after another handle marked read")
	if _, err := follower.Older(ctx, Filter{}, 0, 10); err != nil {
		t.Fatal(err)
	}
	expect(false, "after only reading")
	must(t, follower.SetState(ctx, "k", "v"))
	expect(true, "after its own write") // the writer connection is another connection
}

func TestMessageJSON(t *testing.T) {
	m := Message{ID: 1<<53 + 1, UMID: 502550228871720147, AID: 435443636951759403, Title: "t",
		Acked: true, HTML: false, Monospace: true, Read: true}
	b, err := json.Marshal(m)
	must(t, err)
	var wire map[string]any
	must(t, json.Unmarshal(b, &wire))
	for key, want := range map[string]any{"acked": 1.0, "html": 0.0, "monospace": 1.0, "read": true,
		"id_str": "9007199254740993", "umid_str": "502550228871720147", "aid_str": "435443636951759403",
		"url_title": "", "queued_date": 0.0} {
		if wire[key] != want {
			t.Errorf("%s = %#v, want %#v in %s", key, wire[key], want, b)
		}
	}
	var back Message
	must(t, json.Unmarshal(b, &back))
	if back != m {
		t.Errorf("round trip\n got %+v\nwant %+v", back, m)
	}
	// Pushover's own shape: flags as 0/1, extra keys, null icon.
	var p Message
	must(t, json.Unmarshal([]byte(`{"id":12,"id_str":"12","umid":502550228871720147,"title":"x","icon":null,
		"acked":1,"html":0,"priority":2,"receipt":"R","subscription":"ignored"}`), &p))
	if p.ID != 12 || p.UMID != 502550228871720147 || !p.Acked || p.HTML || p.Icon != "" || p.Receipt != "R" {
		t.Errorf("decoded %+v", p)
	}
	if err := json.Unmarshal([]byte(`{"acked":"yes"}`), &p); err == nil {
		t.Errorf("acked \"yes\" accepted")
	}
}

// helperEnv names the database a child process writes to in
// TestTwoProcesses; only the child sees it set.
const helperEnv = "POBOX_CACHE_TEST_CHILD_DB"

// TestTwoProcesses runs a second process (this test binary again) that
// ingests into the same file while this one ingests and reads: SQLite's
// file locks, WAL and the busy timeout must let both finish.
func TestTwoProcesses(t *testing.T) {
	if os.Getenv(helperEnv) != "" {
		t.Skip("inside the child process")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	path := filepath.Join(t.TempDir(), "cache.db")
	db := openAt(t, path)

	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	must(t, cmd.Start())

	g := newGenerator(3, 1)
	for range 20 {
		mustIngest(t, db, g.batch(50)...)
		if _, err := db.Older(ctx, Filter{Search: commonWord}, 0, 50); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child process: %v\n%s", err, out.String())
	}
	c, err := db.Counts(ctx)
	must(t, err)
	if c.Total != 2*20*50 {
		t.Fatalf("Total = %d, want %d (both processes' messages)", c.Total, 2*20*50)
	}
	if changed, err := db.Changed(ctx); err != nil || !changed {
		t.Errorf("Changed = %v, %v after the other process wrote", changed, err)
	}
}

// TestChildProcess is the second process of TestTwoProcesses.
func TestChildProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("run by TestTwoProcesses")
	}
	db := openAt(t, path)
	g := newGenerator(4, 1_000_000)
	for range 20 {
		mustIngest(t, db, g.batch(50)...)
		if _, err := db.Counts(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}
