package cache

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestOutboxSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	clock := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

	db := openAt(t, path)
	db.Now = func() time.Time { return clock }
	mustIngest(t, db, emergency(1, "R1", false), emergency(2, "R2", false))
	a, err := db.EnqueueAck(ctx, testDev, "R1")
	must(t, err)
	d, err := db.EnqueueDeleteUpTo(ctx, testDev, 2)
	must(t, err)
	b, err := db.EnqueueAck(ctx, testDev, "R2")
	must(t, err)
	if again, err := db.EnqueueAck(ctx, testDev, "R1"); err != nil || again.ID != a.ID {
		t.Fatalf("second EnqueueAck(R1) = %+v, %v; want the waiting item %d", again, err, a.ID)
	}
	must(t, db.OutboxFailed(ctx, d.ID, "network is unreachable"))
	must(t, db.Close())

	db = openAt(t, path)
	items, err := db.Outbox(ctx)
	must(t, err)
	want := []OutboxItem{
		{ID: a.ID, Kind: OutboxAck, Device: testDev, Receipt: "R1", Created: clock},
		{ID: d.ID, Kind: OutboxDeleteUpTo, Device: testDev, UpToID: 2, Attempts: 1, LastError: "network is unreachable",
			Created: clock, LastAttempt: clock},
		{ID: b.ID, Kind: OutboxAck, Device: testDev, Receipt: "R2", Created: clock},
	}
	if len(items) != len(want) {
		t.Fatalf("outbox = %+v, want %+v", items, want)
	}
	for i := range want {
		if !items[i].Created.Equal(want[i].Created) || !items[i].LastAttempt.Equal(want[i].LastAttempt) {
			t.Errorf("item %d times = %v %v", i, items[i].Created, items[i].LastAttempt)
		}
		items[i].Created, items[i].LastAttempt = want[i].Created, want[i].LastAttempt
		if items[i] != want[i] {
			t.Errorf("item %d = %+v, want %+v", i, items[i], want[i])
		}
	}
	if !mustGet(t, db, 1).AckPending || !mustGet(t, db, 2).AckPending {
		t.Errorf("ack pending flags did not survive the reopen")
	}
}

func TestOutboxLifecycle(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	mustIngest(t, db, emergency(1, "R1", false), emergency(2, "R2", false), msg(3, "charlie"))

	a1, err := db.EnqueueAck(ctx, testDev, "R1")
	must(t, err)
	a2, err := db.EnqueueAck(ctx, testDev, "R2")
	must(t, err)
	c, err := db.Counts(ctx)
	must(t, err)
	if c.Unacked != 2 || c.AckPending != 2 {
		t.Fatalf("after enqueue: unacked=%d pending=%d, want 2 2", c.Unacked, c.AckPending)
	}

	// R1 succeeds: acknowledged, no longer pending, item gone.
	if n, err := db.AcknowledgeReceipt(ctx, "R1"); err != nil || n != 1 {
		t.Fatalf("AcknowledgeReceipt = %d, %v", n, err)
	}
	must(t, db.OutboxDone(ctx, a1.ID))
	// R2 is refused for good: the user must see it needs attention again.
	must(t, db.OutboxFailed(ctx, a2.ID, strings.Repeat("x", 5000)))
	must(t, db.OutboxDone(ctx, a2.ID))
	must(t, db.OutboxDone(ctx, a2.ID)) // gone already: fine

	m1, m2 := mustGet(t, db, 1), mustGet(t, db, 2)
	if !m1.Acked || m1.AckPending || m2.Acked || m2.AckPending {
		t.Errorf("R1 acked=%v pending=%v, R2 acked=%v pending=%v", m1.Acked, m1.AckPending, m2.Acked, m2.AckPending)
	}
	c, err = db.Counts(ctx)
	must(t, err)
	if c.Unacked != 1 || c.AckPending != 0 {
		t.Errorf("after done: unacked=%d pending=%d, want 1 0", c.Unacked, c.AckPending)
	}
	if items, err := db.Outbox(ctx); err != nil || len(items) != 0 {
		t.Errorf("outbox = %v, %v; want empty", items, err)
	}
	if err := db.OutboxFailed(ctx, a2.ID, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("OutboxFailed on a removed item: %v", err)
	}
	if _, err := db.EnqueueAck(ctx, testDev, ""); err == nil {
		t.Errorf("EnqueueAck accepted an empty receipt")
	}
	if _, err := db.EnqueueDeleteUpTo(ctx, testDev, 0); err == nil {
		t.Errorf("EnqueueDeleteUpTo accepted 0")
	}
}

func TestOutboxFailureTextBounded(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	mustIngest(t, db, msg(5, "echo"))
	it, err := db.EnqueueDeleteUpTo(ctx, testDev, 5)
	must(t, err)
	must(t, db.OutboxFailed(ctx, it.ID, strings.Repeat("e", 5000)))
	items, err := db.Outbox(ctx)
	must(t, err)
	if len(items) != 1 || len(items[0].LastError) != maxErrorLen {
		t.Fatalf("items = %d, error length %d", len(items), len(items[0].LastError))
	}
}

// deletedUpTo returns device testDev's local watermark.
func deletedUpTo(t *testing.T, db *DB) int64 {
	t.Helper()
	d, err := db.Device(context.Background(), testDev)
	must(t, err)
	return d.DeletedUpTo
}

func TestState(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	db, err := Open(ctx, path)
	must(t, err)
	if _, ok, err := db.State(ctx, StateLastSync); err != nil || ok {
		t.Fatalf("missing key: ok=%v err=%v", ok, err)
	}
	must(t, db.SetState(ctx, StateLastSync, "2025-06-01T12:00:00Z"))
	must(t, db.SetState(ctx, "other", "41"))
	must(t, db.SetState(ctx, "other", "42"))
	must(t, db.Close())

	db = openAt(t, path)
	for key, want := range map[string]string{StateLastSync: "2025-06-01T12:00:00Z", "other": "42"} {
		got, ok, err := db.State(ctx, key)
		if err != nil || !ok || got != want {
			t.Errorf("State(%q) = %q, %v, %v; want %q", key, got, ok, err, want)
		}
	}
	must(t, db.DeleteState(ctx, StateLastSync))
	must(t, db.DeleteState(ctx, StateLastSync))
	if _, ok, _ := db.State(ctx, StateLastSync); ok {
		t.Errorf("deleted key still there")
	}
}

func TestActions(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	mustIngest(t, db, msg(1, "alpha"), emergency(2, "R", false), msg(3, "charlie"), emergency(4, "S", false), msg(5, "echo"))

	if err := db.SetRead(ctx, keyOf(t, db, 99), true); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetRead(99) = %v, want ErrNotFound", err)
	}
	must(t, db.SetRead(ctx, keyOf(t, db, 3), true))
	expectRead(t, db, 3, true)
	must(t, db.Delete(ctx, keyOf(t, db, 3)))
	expectGone(t, db, 3)
	must(t, db.Delete(ctx, keyOf(t, db, 3))) // again: fine

	if n, err := db.AcknowledgeReceipt(ctx, "R"); err != nil || n != 1 {
		t.Fatalf("AcknowledgeReceipt = %d, %v", n, err)
	}
	if n, err := db.AcknowledgeReceipt(ctx, "R"); err != nil || n != 0 {
		t.Fatalf("second AcknowledgeReceipt = %d, %v; want 0", n, err)
	}
	if _, err := db.AcknowledgeReceipt(ctx, ""); err == nil {
		t.Errorf("empty receipt accepted")
	}
	got, err := db.Older(ctx, Filter{Unacked: true}, 0, 10)
	must(t, err)
	if !slices.Equal(ids(got), []int64{4}) {
		t.Errorf("unacked = %v, want [4]", ids(got))
	}

	d, err := db.DeleteUpTo(ctx, keyOf(t, db, 4), testDev)
	if err != nil || d.Removed != 3 || d.Server.Kind != OutboxDeleteUpTo || d.Server.UpToID != 4 || d.Server.Device != testDev {
		t.Fatalf("DeleteUpTo(4) = %+v, %v; want 3 removed and a server delete up to 4", d, err)
	}
	if w := deletedUpTo(t, db); w != 4 {
		t.Errorf("DeletedUpTo = %d", w)
	}
	if d, err := db.DeleteUpTo(ctx, keyOf(t, db, 1), testDev); err != nil || d.Removed != 0 || d.Server.ID != 0 {
		t.Fatalf("lower DeleteUpTo = %+v, %v", d, err)
	}
	if w := deletedUpTo(t, db); w != 4 {
		t.Errorf("watermark went down to %d", w)
	}
	var tombs int
	must(t, db.read.QueryRow("SELECT count(*) FROM tombstones").Scan(&tombs))
	if tombs != 0 {
		t.Errorf("%d tombstones below the watermark remain", tombs)
	}
	if h, _ := db.HighestID(ctx, testDev); h != 5 {
		t.Errorf("HighestID = %d, want 5", h)
	}
	c, err := db.Counts(ctx)
	must(t, err)
	if c.Total != 1 || len(c.Apps) != 1 || c.Apps[0] != (AppCount{App: "Backups", Total: 1, Unread: 1}) {
		t.Errorf("counts = %+v", c)
	}
}
