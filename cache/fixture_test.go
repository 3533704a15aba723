package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// Words for generated messages. The first ones are drawn far more often
// (Zipf), as in real notification text. Some carry diacritics.
var vocabulary = strings.Fields(`the server backup job disk error warning finished
	started failed completed check host service memory cpu load network update
	available version release deploy build test passed alert resolved pending user
	login from address database query slow timeout retry certificate expires days
	temperature sensor kitchen door opened closed motion detected garage battery low
	café Zürich naïve École résumé crème brûlée Ångström São Paulo Kraków
	invoice payment received order shipped delivered package tracking weather rain
	tomorrow morning evening report daily weekly monthly summary container restart
	kubernetes pod node cluster volume snapshot replica primary secondary latency`)

// appNames are the 20 apps of the fixture.
var appNames = []string{"Backups", "Grafana", "Home Assistant", "Uptime Kuma", "GitHub",
	"Jenkins", "Sonarr", "Radarr", "Proxmox", "TrueNAS", "Nextcloud", "Pi-hole",
	"Watchtower", "Cron", "Fail2ban", "Octoprint", "Frigate", "Paperless", "Mailcow", "Healthchecks"}

// rareWord appears in about one message in 5,000: BenchmarkSearch/rare.
const rareWord = "zeppelin"

// commonWord is the most frequent word of the vocabulary: BenchmarkSearch/common.
const commonWord = "server"

// generator makes realistic messages with increasing ids.
type generator struct {
	r      *rand.Rand
	zipf   *rand.Zipf
	nextID int64
	date   int64
}

func newGenerator(seed uint64, firstID int64) *generator {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return &generator{
		r:      r,
		zipf:   rand.NewZipf(r, 1.1, 2, uint64(len(vocabulary)-1)),
		nextID: firstID,
		date:   time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Unix(),
	}
}

func (g *generator) words(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(vocabulary[g.zipf.Uint64()])
	}
	return b.String()
}

// message returns the next message: bodies up to 1,024 characters, 20 apps,
// priorities mostly 0 with every other level present, emergencies with
// receipts (half of them acknowledged), some links and HTML.
func (g *generator) message() Message {
	id := g.nextID
	g.nextID++
	g.date += int64(g.r.IntN(600))
	m := Message{
		ID: id, UMID: 1<<59 + id*7, AID: 435443636951759403 + int64(g.r.IntN(20)),
		App: appNames[g.r.IntN(len(appNames))], Title: g.words(1 + g.r.IntN(6)),
		Date: g.date, QueuedDate: g.date + 1, DispatchedDate: g.date + 1,
		Icon: "mnsw2ykc6qa5sbn", Sound: "po",
	}
	// Body length: mostly short, a tail up to the 1,024-character limit.
	n := 3 + g.r.IntN(20)
	if g.r.IntN(10) == 0 {
		n = 20 + g.r.IntN(150)
	}
	body := g.words(n)
	if g.r.IntN(5000) == 0 {
		body += " " + rareWord
	}
	if len([]rune(body)) > 1024 {
		body = string([]rune(body)[:1024])
	}
	m.Message = body
	switch p := g.r.IntN(100); {
	case p < 5:
		m.Priority = -2
	case p < 15:
		m.Priority = -1
	case p < 80:
		m.Priority = 0
	case p < 95:
		m.Priority = 1
	default:
		m.Priority = 2
		m.Receipt = fmt.Sprintf("r%029d", id)
		m.Acked = g.r.IntN(2) == 0
	}
	if g.r.IntN(4) == 0 {
		m.URL, m.URLTitle = "https://example.com/"+g.words(1), "Open "+g.words(1)
	}
	m.HTML = g.r.IntN(20) == 0
	return m
}

// batch returns n messages.
func (g *generator) batch(n int) []Message {
	ms := make([]Message, n)
	for i := range ms {
		ms[i] = g.message()
	}
	return ms
}

// openTest opens a new cache in a temporary directory, closed at cleanup.
func openTest(tb testing.TB) *DB {
	tb.Helper()
	return openAt(tb, tb.TempDir()+"/pobox/cache.db")
}

// testDev is the number of the device openAt adds: the first one.
const testDev = 1

// openAt opens the cache at path, closed at cleanup, and uses the device
// testDev for it (the tests' batches belong to it).
func openAt(tb testing.TB, path string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	if d, err := db.UseDevice(context.Background(), "testdevice0000000000000000000000000000000", "test"); err != nil || d.N != testDev {
		tb.Fatalf("UseDevice = %+v, %v; want device %d", d, err, testDev)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return db
}

// mustIngest ingests batch and returns the new messages.
func mustIngest(tb testing.TB, db *DB, batch ...Message) []Message {
	tb.Helper()
	fresh, err := db.Ingest(context.Background(), Batch{Device: testDev, Messages: batch})
	if err != nil {
		tb.Fatalf("Ingest: %v", err)
	}
	return fresh
}

// keyOf returns the key of the message of device testDev with Pushover id
// id, or -id when there is none (a key no message has).
func keyOf(tb testing.TB, db *DB, id int64) int64 {
	tb.Helper()
	m, err := db.Find(context.Background(), testDev, id)
	if err != nil {
		return -id
	}
	return m.Key
}

// ids returns the ids of ms.
func ids(ms []Message) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}
