package cache

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

const (
	oldDeviceID = "olddevice0000000000000000000000000000000"
	newDeviceID = "newdevice0000000000000000000000000000000"
)

// useDevice adds (or finds) a device and returns its number.
func useDevice(t *testing.T, db *DB, id, name string) int64 {
	t.Helper()
	d, err := db.UseDevice(context.Background(), id, name)
	must(t, err)
	return d.N
}

func ingestFor(t *testing.T, db *DB, dev int64, ms ...Message) []Message {
	t.Helper()
	fresh, err := db.Ingest(context.Background(), Batch{Device: dev, Messages: ms})
	must(t, err)
	return fresh
}

// TestNewDeviceStartsLowAgain is the lost-messages bug of a new login: the
// new device's ids 1-3 lie below the old device's watermark of 1,500, and
// must be stored all the same, beside the old device's messages.
func TestNewDeviceStartsLowAgain(t *testing.T) {
	ctx := context.Background()
	db := openTest(t) // device 1, the old login
	for id := int64(1498); id <= 1500; id++ {
		mustIngest(t, db, msg(id, "old"))
	}
	if _, err := db.DeleteUpTo(ctx, keyOf(t, db, 1499), testDev); err != nil {
		t.Fatal(err)
	}
	dev := useDevice(t, db, newDeviceID, "laptop-2")
	if dev == testDev {
		t.Fatalf("the new device got the old device's number")
	}
	fresh := ingestFor(t, db, dev, msg(1, "new one"), msg(2, "new two"), msg(3, "new three"))
	if got := ids(fresh); !slices.Equal(got, []int64{1, 2, 3}) {
		t.Fatalf("new device's messages stored = %v, want [1 2 3]", got)
	}
	// Newest first: the new device's, then the old device's survivor.
	page, err := db.Older(ctx, Filter{}, 0, 10)
	must(t, err)
	var got []string
	for _, m := range page {
		got = append(got, m.DeviceName+":"+m.Title)
	}
	want := []string{"laptop-2:new three", "laptop-2:new two", "laptop-2:new one", "test:old"}
	if !slices.Equal(got, want) {
		t.Errorf("list = %v, want %v", got, want)
	}
	expectSearchTitles(t, db, "old", "old")
	if h, _ := db.HighestID(ctx, dev); h != 3 {
		t.Errorf("new device HighestID = %d, want 3", h)
	}
	if h, _ := db.HighestID(ctx, testDev); h != 1500 {
		t.Errorf("old device HighestID = %d, want 1500", h)
	}
	// The same device again is the same number, and its name follows.
	if again := useDevice(t, db, newDeviceID, "renamed"); again != dev {
		t.Errorf("UseDevice again = %d, want %d", again, dev)
	}
}

func expectSearchTitles(t *testing.T, db *DB, text string, want ...string) {
	t.Helper()
	got, err := db.Older(context.Background(), Filter{Search: text}, 0, MaxLimit)
	must(t, err)
	var titles []string
	for _, m := range got {
		titles = append(titles, m.Title)
	}
	if !slices.Equal(titles, want) {
		t.Errorf("search %q = %v, want %v", text, titles, want)
	}
}

// TestDeleteUpToAcrossDevices: D on a message deletes it and everything
// older here, whatever the device, but asks the server to delete only the
// current device's queue, only up to ids the current device stored.
func TestDeleteUpToAcrossDevices(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	mustIngest(t, db, msg(700, "old a"), msg(701, "old b"))
	dev := useDevice(t, db, newDeviceID, "laptop-2")
	ingestFor(t, db, dev, msg(1, "new a"), msg(2, "new b"), msg(3, "new c"))
	newB, err := db.Find(ctx, dev, 2)
	must(t, err)

	t.Run("OK", func(t *testing.T) {
		d, err := db.DeleteUpTo(ctx, newB.Key, dev)
		must(t, err)
		if d.Removed != 4 {
			t.Errorf("removed %d, want 4", d.Removed)
		}
		if d.Server.Device != dev || d.Server.UpToID != 2 {
			t.Errorf("server delete = %+v, want device %d up to 2", d.Server, dev)
		}
		old, err := db.Device(ctx, testDev)
		must(t, err)
		if old.DeletedUpTo != 701 {
			t.Errorf("old device watermark = %d, want 701", old.DeletedUpTo)
		}
		// The old device's messages stay deleted when downloaded again,
		// the new device's later ones are stored.
		if fresh := ingestFor(t, db, testDev, msg(701, "old b")); len(fresh) != 0 {
			t.Errorf("a deleted old message came back: %v", ids(fresh))
		}
		if fresh := ingestFor(t, db, dev, msg(2, "new b"), msg(4, "new d")); !slices.Equal(ids(fresh), []int64{4}) {
			t.Errorf("after the delete, stored %v, want [4]", ids(fresh))
		}
	})
	t.Run("only old devices in range", func(t *testing.T) {
		db := openTest(t)
		mustIngest(t, db, msg(700, "old a"))
		dev := useDevice(t, db, newDeviceID, "laptop-2")
		ingestFor(t, db, dev, msg(1, "new a"))
		d, err := db.DeleteUpTo(ctx, keyOf(t, db, 700), dev)
		must(t, err)
		if d.Removed != 1 || d.Server.ID != 0 {
			t.Errorf("DeleteUpTo(old message) = %+v; want 1 removed and nothing for the server", d)
		}
		items, err := db.Outbox(ctx)
		must(t, err)
		if len(items) != 0 {
			t.Errorf("outbox = %+v, want empty", items)
		}
	})
}

// TestDeleteUpToIDNeverAboveStored is `pobox delete --upto 99999999`.
func TestDeleteUpToIDNeverAboveStored(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name        string
		upto        int64
		wantRemoved int
		wantServer  int64
	}{
		{"above every id", 99999999, 3, 1563},
		{"inside", 1562, 2, 1562},
		{"below every id", 5, 0, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t)
			mustIngest(t, db, msg(1561, "a"), msg(1562, "b"), msg(1563, "c"))
			d, err := db.DeleteUpToID(ctx, testDev, tt.upto)
			must(t, err)
			if d.Removed != tt.wantRemoved || d.Server.UpToID != tt.wantServer {
				t.Errorf("DeleteUpToID(%d) = removed %d, server up to %d; want %d, %d",
					tt.upto, d.Removed, d.Server.UpToID, tt.wantRemoved, tt.wantServer)
			}
			// Later messages are still stored.
			if fresh := mustIngest(t, db, msg(1564, "d")); len(fresh) != 1 {
				t.Errorf("message 1564 after the delete was dropped")
			}
			if w := deletedUpTo(t, db); w > 1563 {
				t.Errorf("local watermark = %d, above what was stored", w)
			}
		})
	}
	t.Run("EnqueueDeleteUpTo is capped", func(t *testing.T) {
		db := openTest(t)
		mustIngest(t, db, msg(1563, "c"))
		it, err := db.EnqueueDeleteUpTo(ctx, testDev, 99999999)
		must(t, err)
		if it.UpToID != 1563 {
			t.Errorf("queued up to %d, want 1563", it.UpToID)
		}
	})
}

func TestEmergencyCopiesAcrossDevices(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	mustIngest(t, db, emergency(900, "R", false))
	must(t, db.SetRead(ctx, keyOf(t, db, 900), true))
	dev := useDevice(t, db, newDeviceID, "laptop-2")
	// The new device's copy (a low id) is the newer one: it replaces the
	// old device's copy and keeps its read state.
	if fresh := ingestFor(t, db, dev, emergency(2, "R", false)); len(fresh) != 1 || !fresh[0].Read {
		t.Fatalf("new device's copy: %+v", fresh)
	}
	// The old device's copy downloaded again stays replaced.
	if fresh := mustIngest(t, db, emergency(900, "R", true)); len(fresh) != 0 {
		t.Fatalf("old copy stored again: %v", ids(fresh))
	}
	all, err := db.Older(ctx, Filter{}, 0, 10)
	must(t, err)
	if len(all) != 1 || all[0].Device != dev || !all[0].Acked {
		t.Errorf("stored = %+v, want the new device's copy, acknowledged", all)
	}
}

// TestBacklogMarkWithEachBatch: the mark that tells followers "this was
// backlog" is committed with the batch that stored it.
func TestBacklogMarkWithEachBatch(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	fresh, err := db.Ingest(ctx, Batch{Device: testDev, Messages: []Message{msg(1, "a"), msg(2, "b")}, Backlog: true})
	must(t, err)
	if k, _ := db.BacklogKey(ctx); k != fresh[1].Key {
		t.Errorf("BacklogKey = %d after the first batch, want %d", k, fresh[1].Key)
	}
	news := mustIngest(t, db, msg(3, "c"))
	if k, _ := db.BacklogKey(ctx); k != fresh[1].Key || k >= news[0].Key {
		t.Errorf("BacklogKey = %d after news, want %d", k, fresh[1].Key)
	}
	if n, _ := db.NewestKey(ctx); n != news[0].Key {
		t.Errorf("NewestKey = %d, want %d", n, news[0].Key)
	}
	// Keys are never reused, even when the newest message is deleted.
	must(t, db.Delete(ctx, news[0].Key))
	if again := mustIngest(t, db, msg(4, "d")); again[0].Key <= news[0].Key {
		t.Errorf("key %d reused after delete (was %d)", again[0].Key, news[0].Key)
	}
}

// TestDurableWrites: what the server is about to delete, and queued
// actions, are committed with synchronous=FULL.
func TestDurableWrites(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	levels := map[string]int{}
	db.testDurable = func(op string, level int) { levels[op] = level }
	mustIngest(t, db, emergency(1, "R", false), msg(2, "b"))
	must(t, db.RecordSync(ctx, testDev, time.Now(), true))
	if _, err := db.EnqueueAck(ctx, testDev, "R"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteUpTo(ctx, keyOf(t, db, 2), testDev); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{"record the sync", "enqueue acknowledgement", "delete up to"} {
		if levels[op] != 2 {
			t.Errorf("%s committed with synchronous=%d, want 2 (FULL)", op, levels[op])
		}
	}
	// The other writes stay at NORMAL (1).
	var level int
	must(t, db.write.QueryRow("PRAGMA synchronous").Scan(&level))
	if level != 1 {
		t.Errorf("writer left at synchronous=%d, want 1", level)
	}
	d, err := db.Device(ctx, testDev)
	must(t, err)
	if !d.BacklogDone {
		t.Errorf("RecordSync(complete) did not mark the backlog done")
	}
}

// TestOutboxKeepsUnknownKinds: a newer pobox's action survives a downgrade.
func TestOutboxKeepsUnknownKinds(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	_, err := db.write.Exec(`INSERT INTO outbox (kind, device, created_at) VALUES ('snooze', 1, 0)`)
	must(t, err)
	items, err := db.Outbox(ctx)
	must(t, err)
	if len(items) != 1 || items[0].Kind != "snooze" {
		t.Fatalf("outbox = %+v, want the unknown action kept", items)
	}
}

// TestMigrateToDevices: a version 3 cache with messages, a watermark,
// tombstones, an outbox and a synced device keeps all of it under device
// 1, which the synced device's id names; a new device's low ids are then
// stored.
func TestMigrateToDevices(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	old := &DB{Now: time.Now, path: path, closed: make(chan struct{})}
	must(t, prepareFile(path))
	must(t, old.openWriter(ctx, migrations[:3]))
	for _, q := range []string{
		`INSERT INTO messages (id, title, message, app, read) VALUES (1500, 'Old backup', 'done', 'Backups', 1), (1502, 'Old disk', 'full', 'Grafana', 0)`,
		`INSERT INTO messages_fts (docid, title, message, app, url_title) SELECT id, title, message, app, url_title FROM messages`,
		`INSERT INTO app_counts (app, total, unread) VALUES ('Backups', 1, 0), ('Grafana', 1, 1)`,
		`INSERT INTO meta (key, value) VALUES ('deleted_upto', 1499), ('highest_seen', 1503)`,
		`INSERT INTO tombstones (id) VALUES (1501)`,
		`INSERT INTO outbox (kind, upto_id, created_at) VALUES ('delete_upto', 1499, 0)`,
		`INSERT INTO state (key, value) VALUES ('sync.synced_device', '` + oldDeviceID + `'), ('server_deleted_upto', '1490'), ('sync.backlog_upto', '1500')`,
	} {
		_, err := old.write.Exec(q)
		must(t, err)
	}
	must(t, old.closeAll())

	db, err := Open(ctx, path)
	must(t, err)
	defer db.Close()
	devs, err := db.Devices(ctx)
	must(t, err)
	if len(devs) != 1 {
		t.Fatalf("devices = %+v, want the one of the old login", devs)
	}
	if d := devs[0]; d.N != 1 || d.ID != oldDeviceID || d.DeletedUpTo != 1499 || d.HighestSeen != 1503 ||
		d.ServerDeletedUpTo != 1490 || !d.BacklogDone {
		t.Errorf("device = %+v", d)
	}
	if n := useDeviceNumber(t, db, oldDeviceID); n != 1 {
		t.Errorf("the stored login's device is %d, want 1", n)
	}
	if k, _ := db.BacklogKey(ctx); k != 1500 {
		t.Errorf("BacklogKey = %d, want 1500", k)
	}
	items, err := db.Outbox(ctx)
	must(t, err)
	if len(items) != 1 || items[0].Device != 1 || items[0].UpToID != 1499 {
		t.Errorf("outbox = %+v", items)
	}
	// The tombstone still holds: 1501 stays deleted.
	oldNew := ingestFor(t, db, 1, msg(1501, "deleted"), msg(1504, "new"))
	if !slices.Equal(ids(oldNew), []int64{1504}) {
		t.Fatalf("old device ingest stored %v, want [1504]", ids(oldNew))
	}
	m, err := db.Find(ctx, 1, 1500)
	must(t, err)
	if m.Key != 1500 || !m.Read {
		t.Errorf("migrated message = %+v, want key 1500, read", m)
	}
	expectSearchTitles(t, db, "disk", "Old disk")

	// A new login: its ids start at 1 and are stored.
	dev := useDeviceNumber(t, db, newDeviceID)
	if fresh := ingestFor(t, db, dev, msg(1, "a"), msg(2, "b")); len(fresh) != 2 || fresh[0].Key <= oldNew[0].Key {
		t.Errorf("new device stored %+v", fresh)
	}
	c, err := db.Counts(ctx)
	must(t, err)
	if c.Total != 5 {
		t.Errorf("Total = %d, want 5", c.Total)
	}
}

func useDeviceNumber(t *testing.T, db *DB, id string) int64 {
	t.Helper()
	d, err := db.UseDevice(context.Background(), id, "")
	must(t, err)
	return d.N
}

// TestLegacyDeviceClaimed: an old cache whose device never synced gets
// its device from the first login that uses it.
func TestLegacyDeviceClaimed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cache.db")
	old := &DB{Now: time.Now, path: path, closed: make(chan struct{})}
	must(t, prepareFile(path))
	must(t, old.openWriter(ctx, migrations[:3]))
	_, err := old.write.Exec(`INSERT INTO messages (id, title) VALUES (7, 'seven')`)
	must(t, err)
	must(t, old.closeAll())

	db, err := Open(ctx, path)
	must(t, err)
	defer db.Close()
	if n := useDeviceNumber(t, db, oldDeviceID); n != 1 {
		t.Errorf("claimed device = %d, want 1", n)
	}
	if n := useDeviceNumber(t, db, newDeviceID); n != 2 {
		t.Errorf("second device = %d, want 2", n)
	}
}
