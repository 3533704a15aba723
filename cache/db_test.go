package cache

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpenOddPath(t *testing.T) {
	// Characters that mean something in a URI must stay part of the name.
	path := filepath.Join(t.TempDir(), "a dir?x=1#frag%20", "cache.db")
	db := openAt(t, path)
	mustIngest(t, db, msg(1, "alpha"))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at %q: %v", path, err)
	}
}

func TestOpenRefusesUnusableFiles(t *testing.T) {
	otherProgram := func(t *testing.T, path string) {
		db, err := sql.Open("sqlite3", "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me')"); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name  string
		write func(t *testing.T, path string)
		why   string
	}{
		{"text file", func(t *testing.T, path string) {
			writeFile(t, path, []byte("these are my notes, not a database\n"))
		}, "not a SQLite database"},
		{"short garbage", func(t *testing.T, path string) { writeFile(t, path, []byte{0xff, 0x00, 0x13}) }, "not a SQLite database"},
		{"SQLite header, garbage after", func(t *testing.T, path string) {
			writeFile(t, path, append([]byte("SQLite format 3\x00"), bytes.Repeat([]byte{0xA5}, 8192)...))
		}, "file is not a database"},
		{"damaged pages", func(t *testing.T, path string) {
			db := openAt(t, path)
			mustIngest(t, db, newGenerator(1, 1).batch(200)...)
			must(t, db.Close())
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for i := 4096; i < len(b); i++ { // keep page 1, ruin the rest
				b[i] ^= 0x5a
			}
			writeFile(t, path, b)
		}, "malformed"},
		{"another program's SQLite", otherProgram, "another program"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cache.db")
			tc.write(t, path)
			before := readFile(t, path)
			db, err := Open(context.Background(), path)
			if err == nil {
				// Some damage shows only when the damaged pages are read.
				_, err = db.Older(context.Background(), Filter{}, 0, MaxLimit)
				if err == nil {
					_, err = db.Older(context.Background(), Filter{Search: "server"}, 0, MaxLimit)
				}
				db.Close()
			}
			if !errors.Is(err, ErrUnusable) {
				t.Fatalf("error = %v, want ErrUnusable", err)
			}
			t.Log(err)
			for _, want := range []string{path, tc.why, "Move it aside"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if !bytes.Equal(readFile(t, path), before) {
				t.Errorf("the file was modified")
			}
		})
	}
}

func TestOpenRefusesDirectory(t *testing.T) {
	path := t.TempDir()
	if _, err := Open(context.Background(), path); !errors.Is(err, ErrUnusable) {
		t.Fatalf("error = %v, want ErrUnusable", err)
	}
}

func TestOpenNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	db := openAt(t, path)
	mustIngest(t, db, msg(1, "alpha"))
	if _, err := db.write.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', 0)",
		SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	must(t, db.Close())
	before := readFile(t, path)

	_, err := Open(context.Background(), path)
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("error = %v, want ErrNewerSchema", err)
	}
	for _, want := range []string{path, "newer pobox", "upgrade pobox"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if !bytes.Equal(readFile(t, path), before) {
		t.Errorf("the file was modified")
	}
}

// TestMigrations opens a database of every earlier schema version holding
// messages and checks that the full schema then serves them: search and
// counts included, since those arrive with later migrations.
func TestMigrations(t *testing.T) {
	ctx := context.Background()
	if len(migrations) < 2 {
		t.Fatalf("only %d migrations", len(migrations))
	}
	for from := 0; from < len(migrations); from++ {
		t.Run("from version "+string(rune('0'+from)), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cache.db")
			old := &DB{Now: time.Now, path: path, closed: make(chan struct{})}
			must(t, prepareFile(path))
			must(t, old.openWriter(ctx, migrations[:from]))
			if from >= 1 { // the messages table exists: store as that version did
				_, err := old.write.Exec(`INSERT INTO messages (id, title, message, app, priority, receipt, read)
					VALUES (1, 'Café ouvert', 'hello', 'Shop', 0, '', 1),
					       (2, 'Backup failed', 'disk full', 'Backups', 2, 'R2', 0)`)
				must(t, err)
			}
			if from >= 2 { // the search index exists; Ingest feeds it
				_, err := old.write.Exec(`INSERT INTO messages_fts (docid, title, message, app, url_title)
					SELECT id, title, message, app, url_title FROM messages`)
				must(t, err)
			}
			if from >= 3 { // the counters exist; Ingest adds to them
				_, err := old.write.Exec(`INSERT INTO app_counts (app, total, unread, unacked)
					SELECT app, count(*), sum(read = 0), sum(priority = 2 AND acked = 0 AND receipt <> '') FROM messages GROUP BY app`)
				must(t, err)
			}
			must(t, old.closeAll())

			db := openAt(t, path)
			var v int
			must(t, db.read.QueryRow("SELECT max(version) FROM schema_migrations").Scan(&v))
			if v != SchemaVersion() {
				t.Fatalf("schema version = %d, want %d", v, SchemaVersion())
			}
			if from == 0 {
				return
			}
			expectSearch(t, db, "cafe", 1)
			expectSearch(t, db, "disk", 2)
			c, err := db.Counts(ctx)
			must(t, err)
			if c.Total != 2 || c.Unread != 1 || c.Unacked != 1 || len(c.Apps) != 2 {
				t.Errorf("counts = %+v", c)
			}
		})
	}
}

func TestLoadMigrationsRejectsGaps(t *testing.T) {
	fsys := os.DirFS(t.TempDir())
	if ms, err := loadMigrations(fsys); err != nil || len(ms) != 0 {
		t.Fatalf("empty: %v %v", ms, err)
	}
	dir := t.TempDir()
	must(t, os.Mkdir(filepath.Join(dir, "migrations"), 0o700))
	writeFile(t, filepath.Join(dir, "migrations", "0001_a.sql"), []byte("SELECT 1;"))
	writeFile(t, filepath.Join(dir, "migrations", "0003_c.sql"), []byte("SELECT 1;"))
	if _, err := loadMigrations(os.DirFS(dir)); err == nil {
		t.Fatal("a gap in versions was accepted")
	}
}

func TestTwoOpensMigrateOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.db")
	errs := make(chan error, 2)
	dbs := make(chan *DB, 2)
	for range 2 {
		go func() {
			db, err := Open(context.Background(), path)
			errs <- err
			dbs <- db
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		db := <-dbs
		t.Cleanup(func() { db.Close() })
	}
	db := openAt(t, path)
	var n int
	must(t, db.read.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n))
	if n != SchemaVersion() {
		t.Fatalf("%d migration rows, want %d", n, SchemaVersion())
	}
}

func TestClose(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "cache.db"))
	must(t, err)
	must(t, db.Close())
	must(t, db.Close()) // twice is fine
	ctx := context.Background()
	if _, err := db.Older(ctx, Filter{}, 0, 10); !errors.Is(err, ErrClosed) {
		t.Errorf("Older after Close: %v", err)
	}
	if _, err := db.Ingest(ctx, Batch{Device: testDev, Messages: []Message{msg(1, "alpha")}}); !errors.Is(err, ErrClosed) {
		t.Errorf("Ingest after Close: %v", err)
	}
	if _, err := db.Changed(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Changed after Close: %v", err)
	}
}

func TestDSNEscapesPath(t *testing.T) {
	d := dsn("/tmp/a?b#c d", url.Values{})
	if !strings.HasPrefix(d, "file:///tmp/a%3Fb%23c%20d?") {
		t.Fatalf("dsn = %q", d)
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
