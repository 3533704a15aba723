package cache

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// fixtureSize is the number of messages the benchmarks run against.
const fixtureSize = 100_000

// fixture is a database holding fixtureSize realistic messages, built once
// per test binary run (sync.Once) and removed by TestMain.
var fixture struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// TestMain removes the benchmark fixture and checks that every test closed
// what it opened: Close must leave no goroutine behind.
func TestMain(m *testing.M) {
	code := m.Run()
	if fixture.dir != "" {
		os.RemoveAll(fixture.dir)
	}
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines left running: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// fixturePath builds the fixture on first use and returns its path. The
// file is closed (checkpointed); benchmarks that write work on a copy.
func fixturePath(b *testing.B) string {
	b.Helper()
	fixture.once.Do(func() {
		fixture.dir, fixture.err = os.MkdirTemp("", "pobox-cache-bench-")
		if fixture.err != nil {
			return
		}
		fixture.path = filepath.Join(fixture.dir, "cache.db")
		fixture.err = buildFixture(fixture.path)
	})
	if fixture.err != nil {
		b.Fatalf("fixture: %v", fixture.err)
	}
	return fixture.path
}

// buildFixture ingests fixtureSize messages in download-sized batches, the
// way the cache fills in use, and marks the older 90% read.
func buildFixture(path string) error {
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		return err
	}
	if _, err := db.UseDevice(ctx, "testdevice0000000000000000000000000000000", "test"); err != nil {
		db.Close()
		return err
	}
	g := newGenerator(1, 1)
	for n := 0; n < fixtureSize; n += 1000 {
		if _, err := db.Ingest(ctx, Batch{Device: testDev, Messages: g.batch(1000)}); err != nil {
			db.Close()
			return err
		}
	}
	if _, err := db.write.ExecContext(ctx, "UPDATE messages SET read = 1 WHERE id <= ?", fixtureSize*9/10); err != nil {
		db.Close()
		return err
	}
	return db.Close()
}

// benchDB opens the fixture for reading.
func benchDB(b *testing.B) *DB {
	b.Helper()
	return openAt(b, fixturePath(b))
}

// BenchmarkIngest stores new batches into a database that already holds
// the fixture, search index and counters included. The sync= cases end
// each batch with the durable commit (RecordSync, synchronous=FULL) that
// a sync makes before deleting on Pushover: one sync per batch, the worst
// case (a big download commits once for all its batches).
func BenchmarkIngest(b *testing.B) {
	for _, tc := range []struct {
		size    int
		durable bool
	}{{100, false}, {1000, false}, {100, true}, {1000, true}} {
		size := tc.size
		name := fmt.Sprintf("batch=%d", size)
		if tc.durable {
			name = fmt.Sprintf("sync=%d", size)
		}
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "cache.db")
			if err := copyFile(fixturePath(b), path); err != nil {
				b.Fatal(err)
			}
			db := openAt(b, path)
			g := newGenerator(2, fixtureSize+1)
			batches := make([][]Message, b.N)
			for i := range batches {
				batches[i] = g.batch(size)
			}
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				fresh, err := db.Ingest(ctx, Batch{Device: testDev, Messages: batches[i]})
				if err != nil {
					b.Fatal(err)
				}
				if len(fresh) != size {
					b.Fatalf("%d new, want %d", len(fresh), size)
				}
				if tc.durable {
					if err := db.RecordSync(ctx, testDev, time.Now(), true); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

// BenchmarkPage reads one screen (50 rows): at the top, and 90,000 rows down.
func BenchmarkPage(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		before int64
	}{{"newest", 0}, {"deep", fixtureSize - 90_000}} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ms, err := db.Older(ctx, Filter{}, tc.before, 50)
				if err != nil || len(ms) != 50 {
					b.Fatalf("%d rows, %v", len(ms), err)
				}
			}
		})
	}
}

// BenchmarkSearch reads the first 50 matches, newest first, of a word in
// most messages and of one in about 20.
func BenchmarkSearch(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	for _, tc := range []struct{ name, word string }{{"common", commonWord}, {"rare", rareWord}} {
		b.Run(tc.name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				ms, err := db.Older(ctx, Filter{Search: tc.word}, 0, 50)
				if err != nil || len(ms) == 0 {
					b.Fatalf("%d rows, %v", len(ms), err)
				}
			}
		})
	}
}

// BenchmarkCounts reads the status bar figures.
func BenchmarkCounts(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		c, err := db.Counts(ctx)
		if err != nil || c.Total != fixtureSize {
			b.Fatalf("%+v, %v", c, err)
		}
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
