package cache

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// refModel is a brute-force model of the cache: every message in a slice,
// every filter a loop. The keyset queries must agree with it.
type refModel struct{ ms map[int64]*Message }

// match reports whether m passes f, the slow and obvious way.
func (r *refModel) match(m *Message, f Filter) bool {
	if f.App != "" && m.App != f.App {
		return false
	}
	if f.MinPriority != nil && m.Priority < *f.MinPriority {
		return false
	}
	if f.Unread && m.Read {
		return false
	}
	if f.Unacked && !m.NeedsAck() {
		return false
	}
	tokens := foldWords(strings.Join([]string{m.Title, m.Message, m.App, m.URLTitle}, " "))
	for _, q := range foldWords(f.Search) {
		if !slices.ContainsFunc(tokens, func(t string) bool {
			return strings.HasPrefix(t, q) && (utf8.RuneCountInString(q) >= minPrefixLen || t == q)
		}) {
			return false
		}
	}
	return true
}

// list returns the ids matching f, newest first.
func (r *refModel) list(f Filter) []int64 {
	var out []int64
	for _, m := range r.ms {
		if r.match(m, f) {
			out = append(out, m.ID)
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// foldWords splits like the unicode61 tokenizer and folds case and
// diacritics like remove_diacritics=2.
func foldWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r) && !unicode.Is(unicode.M, r)
	}) {
		var b strings.Builder
		for _, r := range norm.NFD.String(w) {
			if !unicode.Is(unicode.Mn, r) {
				b.WriteRune(unicode.ToLower(r))
			}
		}
		out = append(out, b.String())
	}
	return out
}

// buildRandom fills db and a model with the same random history: batches,
// reads, single deletes, a delete-up-to, acknowledgements and pending ones.
func buildRandom(t *testing.T, db *DB, seed uint64, n int) *refModel {
	ctx := context.Background()
	r := rand.New(rand.NewPCG(seed, 7))
	g := newGenerator(seed, 1<<53+1) // ids beyond float64 precision
	ref := &refModel{ms: map[int64]*Message{}}
	for len(ref.ms) < n {
		batch := g.batch(1 + r.IntN(40))
		for i := range batch {
			batch[i].App = appNames[r.IntN(4)] // few apps: filters match often
			if r.IntN(10) == 0 {
				batch[i].Title += " rm -rf \"quoted\" AND NEAR"
			}
		}
		mustIngest(t, db, batch...)
		for i := range batch {
			m := batch[i]
			ref.ms[m.ID] = &m
		}
	}
	var all []int64
	for id := range ref.ms {
		all = append(all, id)
	}
	slices.Sort(all)
	for _, id := range all {
		m := ref.ms[id]
		switch x := r.IntN(100); {
		case x < 40:
			must(t, db.SetRead(ctx, keyOf(t, db, id), true))
			m.Read = true
		case x < 45:
			must(t, db.Delete(ctx, keyOf(t, db, id)))
			delete(ref.ms, id)
		case x < 55 && m.NeedsAck():
			if _, err := db.AcknowledgeReceipt(ctx, m.Receipt); err != nil {
				t.Fatal(err)
			}
			m.Acked = true
		case x < 65 && m.NeedsAck():
			if _, err := db.EnqueueAck(ctx, testDev, m.Receipt); err != nil {
				t.Fatal(err)
			}
			m.AckPending = true
		}
	}
	upto := all[len(all)/10]
	if _, err := db.DeleteUpTo(ctx, keyOf(t, db, upto), testDev); err != nil {
		t.Fatal(err)
	}
	for id := range ref.ms {
		if id <= upto {
			delete(ref.ms, id)
		}
	}
	return ref
}

// TestListAgainstReference walks every filter combination page by page in
// both directions and compares each page and position with the model.
func TestListAgainstReference(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	ref := buildRandom(t, db, 42, 400)

	searches := []string{"", commonWord, "se", "s", "CAFE", "zur", "disk error", "brûlée", `-rf "quoted`, "AND", "near", "qqqq", "\"*"}
	priorities := []*int{nil, AtLeast(-5), AtLeast(-1), AtLeast(1), AtLeast(2), AtLeast(3)}
	const limit = 7
	for _, app := range []string{"", appNames[1]} {
		for _, minp := range priorities {
			for _, unread := range []bool{false, true} {
				for _, unacked := range []bool{false, true} {
					for _, search := range searches {
						f := Filter{App: app, MinPriority: minp, Unread: unread, Unacked: unacked, Search: search}
						want := ref.list(f)
						name := fmt.Sprintf("app=%q min=%v unread=%v unacked=%v search=%q", app, deref(minp), unread, unacked, search)
						checkWalks(t, ctx, db, f, want, limit, name)
					}
				}
			}
		}
	}

	// Counts agree with the model too.
	c, err := db.Counts(ctx)
	must(t, err)
	var total, unread, unacked, pending int
	for _, m := range ref.ms {
		total++
		if !m.Read {
			unread++
		}
		if m.NeedsAck() {
			unacked++
			if m.AckPending {
				pending++
			}
		}
	}
	if c.Total != total || c.Unread != unread || c.Unacked != unacked || c.AckPending != pending {
		t.Errorf("Counts = %d/%d/%d/%d, model %d/%d/%d/%d", c.Total, c.Unread, c.Unacked, c.AckPending,
			total, unread, unacked, pending)
	}
	sum := 0
	for _, a := range c.Apps {
		if got := len(ref.list(Filter{App: a.App})); got != a.Total {
			t.Errorf("app %q total = %d, model %d", a.App, a.Total, got)
		}
		sum += a.Total
	}
	if sum != total {
		t.Errorf("per-app totals add up to %d, want %d", sum, total)
	}
}

func checkWalks(t *testing.T, ctx context.Context, db *DB, f Filter, want []int64, limit int, name string) {
	t.Helper()
	// Down from the top with Older.
	var got []int64
	var before int64
	for {
		page, err := db.Older(ctx, f, before, limit)
		if err != nil {
			t.Fatalf("%s: Older: %v", name, err)
		}
		if len(page) > 0 {
			pos, err := db.CountNewer(ctx, f, page[0].Key)
			if err != nil {
				t.Fatalf("%s: CountNewer: %v", name, err)
			}
			if pos != len(got) {
				t.Fatalf("%s: CountNewer(%d) = %d, want %d", name, page[0].Key, pos, len(got))
			}
		}
		got = append(got, ids(page)...)
		if len(page) < limit {
			break
		}
		before = page[len(page)-1].Key
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: walking down\n got %v\nwant %v", name, got, want)
	}
	// Up from the bottom with Newer: each page newest first, ending at the top.
	got = got[:0]
	var after int64
	for {
		page, err := db.Newer(ctx, f, after, limit)
		if err != nil {
			t.Fatalf("%s: Newer: %v", name, err)
		}
		got = append(slices.Clone(ids(page)), got...)
		if len(page) < limit {
			break
		}
		after = page[0].Key
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: walking up\n got %v\nwant %v", name, got, want)
	}
}

func deref(p *int) any {
	if p == nil {
		return "nil"
	}
	return *p
}

func TestListLimits(t *testing.T) {
	db := openTest(t)
	ctx := context.Background()
	for _, limit := range []int{0, -1, MaxLimit + 1} {
		if _, err := db.Older(ctx, Filter{}, 0, limit); err == nil {
			t.Errorf("Older accepted limit %d", limit)
		}
	}
}

func TestListFieldsRoundTrip(t *testing.T) {
	db := openTest(t)
	in := Message{ID: 12, UMID: 502550228871720147, Title: "Backup finished", Message: "<b>took</b> 16 minutes",
		App: "Backups", AID: 435443636951759403, Icon: "mnsw2ykc6qa5sbn", Date: 1631773887,
		QueuedDate: 1631773893, DispatchedDate: 1631773894, Priority: 2, Sound: "po",
		URL: "https://example.com/", URLTitle: "Open", Acked: true, Receipt: "R12", HTML: true, Monospace: true}
	mustIngest(t, db, in)
	got, err := db.Older(context.Background(), Filter{}, 0, 1)
	must(t, err)
	if len(got) != 1 {
		t.Fatalf("got %d messages", len(got))
	}
	if got[0].StoredAt.IsZero() {
		t.Errorf("StoredAt not set")
	}
	got[0].StoredAt = in.StoredAt
	in.Key, in.Device, in.DeviceName = 1, testDev, "test"
	if got[0] != in {
		t.Errorf("round trip\n got %+v\nwant %+v", got[0], in)
	}
}
