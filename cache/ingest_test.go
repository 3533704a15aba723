package cache

import (
	"context"
	"errors"
	"slices"
	"testing"
)

func msg(id int64, title string) Message {
	return Message{ID: id, UMID: id + 1000, Title: title, Message: "body of " + title, App: "Backups", Date: 1700000000 + id}
}

func emergency(id int64, receipt string, acked bool) Message {
	m := msg(id, "fire")
	m.Priority, m.Receipt, m.Acked = 2, receipt, acked
	return m
}

func TestIngestIdempotent(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	batch := []Message{msg(3, "charlie"), msg(1, "alpha"), msg(2, "bravo")}

	fresh := mustIngest(t, db, batch...)
	if got, want := ids(fresh), []int64{1, 2, 3}; !slices.Equal(got, want) {
		t.Fatalf("first ingest: new = %v, want %v (oldest first)", got, want)
	}
	if fresh[0].StoredAt.IsZero() {
		t.Errorf("new message has no StoredAt")
	}
	if fresh = mustIngest(t, db, batch...); len(fresh) != 0 {
		t.Fatalf("second ingest of the same batch: new = %v, want none", ids(fresh))
	}
	fresh = mustIngest(t, db, msg(2, "bravo"), msg(4, "delta"), msg(4, "delta"))
	if got := ids(fresh); !slices.Equal(got, []int64{4}) {
		t.Fatalf("mixed batch: new = %v, want [4]", got)
	}
	c, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != 4 {
		t.Fatalf("Total = %d, want 4", c.Total)
	}
	if h, _ := db.HighestID(ctx, testDev); h != 4 {
		t.Fatalf("HighestID = %d, want 4", h)
	}
}

func TestIngestKeepsLocalState(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(t *testing.T, db *DB) // after ingesting messages 1..5
		again []Message                  // then ingested again
		check func(t *testing.T, db *DB)
	}{
		{
			name:  "read stays read",
			setup: func(t *testing.T, db *DB) { must(t, db.SetRead(ctx, keyOf(t, db, 2), true)) },
			again: []Message{msg(2, "bravo")},
			check: func(t *testing.T, db *DB) { expectRead(t, db, 2, true) },
		},
		{
			name:  "deleted stays deleted",
			setup: func(t *testing.T, db *DB) { must(t, db.Delete(ctx, keyOf(t, db, 3))) },
			again: []Message{msg(3, "charlie")},
			check: func(t *testing.T, db *DB) { expectGone(t, db, 3) },
		},
		{
			name: "deleted up to stays deleted",
			setup: func(t *testing.T, db *DB) {
				if d, err := db.DeleteUpTo(ctx, keyOf(t, db, 4), testDev); err != nil || d.Removed != 4 {
					t.Fatalf("DeleteUpTo = %+v, %v; want 4 removed", d, err)
				}
			},
			again: []Message{msg(1, "alpha"), msg(4, "delta"), msg(5, "echo")},
			check: func(t *testing.T, db *DB) {
				for id := int64(1); id <= 4; id++ {
					expectGone(t, db, id)
				}
				expectTotal(t, db, 1)
			},
		},
		{
			name:  "acked never goes back to 0",
			setup: func(t *testing.T, db *DB) { mustIngest(t, db, emergency(6, "R6", true)) },
			again: []Message{emergency(6, "R6", false)},
			check: func(t *testing.T, db *DB) {
				if m := mustGet(t, db, 6); !m.Acked {
					t.Errorf("acked went back to 0")
				}
			},
		},
		{
			name: "acked moves to 1 and clears ack pending",
			setup: func(t *testing.T, db *DB) {
				mustIngest(t, db, emergency(6, "R6", false))
				if _, err := db.EnqueueAck(ctx, testDev, "R6"); err != nil {
					t.Fatal(err)
				}
			},
			again: []Message{emergency(6, "R6", true)},
			check: func(t *testing.T, db *DB) {
				if m := mustGet(t, db, 6); !m.Acked || m.AckPending {
					t.Errorf("acked=%v ack_pending=%v, want true false", m.Acked, m.AckPending)
				}
			},
		},
		{
			name:  "server fields are refreshed",
			again: []Message{msg(2, "renamed")},
			check: func(t *testing.T, db *DB) {
				if m := mustGet(t, db, 2); m.Title != "renamed" {
					t.Errorf("title = %q, want renamed", m.Title)
				}
				expectSearch(t, db, "renamed", 2)
				expectSearch(t, db, "bravo")
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			mustIngest(t, db, msg(1, "alpha"), msg(2, "bravo"), msg(3, "charlie"), msg(4, "delta"), msg(5, "echo"))
			if tc.setup != nil {
				tc.setup(t, db)
			}
			if fresh := mustIngest(t, db, tc.again...); len(fresh) != 0 {
				t.Errorf("re-ingest returned new messages %v", ids(fresh))
			}
			tc.check(t, db)
		})
	}
}

func TestIngestEmergencyRepeats(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		batches [][]Message
		before  func(t *testing.T, db *DB) // between the first and the other batches
		want    []int64                    // ids stored with receipt R
		acked   bool
		read    bool
		newLast []int64 // new messages of the last batch
	}{
		{
			name:    "newer copy replaces older",
			batches: [][]Message{{emergency(1, "R", false)}, {emergency(2, "R", false)}},
			want:    []int64{2}, newLast: []int64{2},
		},
		{
			name:    "newer copy inherits read and acked",
			batches: [][]Message{{emergency(1, "R", true)}, {emergency(2, "R", false)}},
			before:  func(t *testing.T, db *DB) { must(t, db.SetRead(ctx, keyOf(t, db, 1), true)) },
			want:    []int64{2}, acked: true, read: true, newLast: []int64{2},
		},
		{
			name:    "older copy arriving later is dropped but its ack is learnt",
			batches: [][]Message{{emergency(2, "R", false)}, {emergency(1, "R", true)}},
			want:    []int64{2}, acked: true,
		},
		{
			name:    "copies in one batch keep the newest",
			batches: [][]Message{{emergency(3, "R", false), emergency(1, "R", false), emergency(2, "R", true)}},
			want:    []int64{3}, acked: true, newLast: []int64{3},
		},
		{
			name:    "older copy of a deleted emergency stays deleted",
			batches: [][]Message{{emergency(2, "R", false)}, {emergency(1, "R", false)}},
			before:  func(t *testing.T, db *DB) { must(t, db.Delete(ctx, keyOf(t, db, 2))) },
		},
		{
			name:    "a newer repeat of a deleted emergency is stored",
			batches: [][]Message{{emergency(1, "R", false)}, {emergency(2, "R", false)}},
			before:  func(t *testing.T, db *DB) { must(t, db.Delete(ctx, keyOf(t, db, 1))) },
			want:    []int64{2}, newLast: []int64{2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := openTest(t)
			var fresh []Message
			for i, b := range tc.batches {
				if i == 1 && tc.before != nil {
					tc.before(t, db)
				}
				fresh = mustIngest(t, db, b...)
			}
			if got := ids(fresh); !slices.Equal(got, tc.newLast) && len(got)+len(tc.newLast) > 0 {
				t.Errorf("new in last batch = %v, want %v", got, tc.newLast)
			}
			got, err := db.Older(ctx, Filter{}, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			slices.Reverse(got)
			if !slices.Equal(ids(got), tc.want) && len(got)+len(tc.want) > 0 {
				t.Fatalf("stored = %v, want %v", ids(got), tc.want)
			}
			if len(got) == 1 && (got[0].Acked != tc.acked || got[0].Read != tc.read) {
				t.Errorf("acked=%v read=%v, want %v %v", got[0].Acked, got[0].Read, tc.acked, tc.read)
			}
			expectTotal(t, db, len(tc.want))
		})
	}
}

func TestIngestRejectsBadIDs(t *testing.T) {
	db := openTest(t)
	_, err := db.Ingest(context.Background(), Batch{Device: testDev, Messages: []Message{msg(1, "alpha"), msg(0, "zero")}})
	if err == nil {
		t.Fatal("Ingest accepted id 0")
	}
	expectTotal(t, db, 0)
}

func TestIngestLargeIDs(t *testing.T) {
	db := openTest(t)
	big := int64(1)<<53 + 1
	m := msg(big, "big")
	m.UMID, m.AID = 1<<62+3, 435443636951759403
	mustIngest(t, db, m)
	got := mustGet(t, db, big)
	if got.ID != big || got.UMID != m.UMID || got.AID != m.AID {
		t.Fatalf("ids changed: %d %d %d", got.ID, got.UMID, got.AID)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// mustGet returns the message of device testDev with Pushover id id.
func mustGet(t *testing.T, db *DB, id int64) Message {
	t.Helper()
	m, err := db.Find(context.Background(), testDev, id)
	if err != nil {
		t.Fatalf("Get(%d): %v", id, err)
	}
	return m
}

func expectGone(t *testing.T, db *DB, id int64) {
	t.Helper()
	if _, err := db.Find(context.Background(), testDev, id); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find(%d) = %v, want ErrNotFound", id, err)
	}
}

func expectRead(t *testing.T, db *DB, id int64, read bool) {
	t.Helper()
	if m := mustGet(t, db, id); m.Read != read {
		t.Errorf("message %d read = %v, want %v", id, m.Read, read)
	}
}

func expectTotal(t *testing.T, db *DB, n int) {
	t.Helper()
	c, err := db.Counts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if c.Total != n {
		t.Errorf("Counts.Total = %d, want %d", c.Total, n)
	}
}

// expectSearch checks that searching text finds exactly ids, newest first.
func expectSearch(t *testing.T, db *DB, text string, want ...int64) {
	t.Helper()
	got, err := db.Older(context.Background(), Filter{Search: text}, 0, MaxLimit)
	if err != nil {
		t.Fatalf("search %q: %v", text, err)
	}
	if !slices.Equal(ids(got), want) && len(got)+len(want) > 0 {
		t.Errorf("search %q = %v, want %v", text, ids(got), want)
	}
}
