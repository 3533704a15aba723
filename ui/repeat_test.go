package ui

import (
	"strings"
	"testing"
	"time"

	"pobox/cache"
	inboxsync "pobox/sync"
)

// TestRepeatFarBelowTheTop: the person reads an emergency far down the
// list when Pushover's repeat replaces it with a new copy, the newest
// message, beyond the rows the reload read: the selection follows it
// there. The repeat does not ring; a new emergency does.
func TestRepeatFarBelowTheTop(t *testing.T) {
	db := openDB(t)
	ms := numbered(300)
	pump := &ms[99]
	pump.Title, pump.Priority, pump.Receipt, pump.Date = "Pump failure", 2, "rcpt-pump", testNow.Add(-10*time.Minute).Unix()
	ingest(t, db, ms...)
	opts, _ := testOptions(t, db)
	bell := &syncBuffer{}
	opts.Output, opts.BellInterval = bell, time.Hour
	d := newDriver(t, opts, 100, 20)
	m := d.inbox()
	d.press(strings.Repeat("j", 200))
	if sel, _ := m.list.selected(); sel.Receipt != "rcpt-pump" {
		t.Fatalf("selected %q, want the emergency", sel.Title)
	}

	repeat := *pump
	repeat.ID, repeat.UMID = 301, 301
	ingest(t, db, repeat)
	k := keyOf(t, db, 301)
	d.send(eventMsg{inboxsync.Synced{New: []int64{k}, MaxPriority: 2, Emergency: true,
		Emergencies: []inboxsync.Emergency{{Key: k, Receipt: "rcpt-pump"}}}})
	if sel, _ := m.list.selected(); sel.Key != k {
		t.Fatalf("after the repeat the selection is %q #%d, want the new copy #301", sel.Title, sel.ID)
	}
	if bell.String() != "" {
		t.Fatalf("the repeat rang: %q", bell.String())
	}

	fire := cache.Message{ID: 302, UMID: 302, AID: 1, App: "Load", Title: "Fire", Priority: 2, Receipt: "rcpt-fire", Date: testNow.Unix()}
	ingest(t, db, fire)
	k = keyOf(t, db, 302)
	d.send(eventMsg{inboxsync.Synced{New: []int64{k}, MaxPriority: 2, Emergency: true,
		Emergencies: []inboxsync.Emergency{{Key: k, Receipt: "rcpt-fire"}}}})
	if n := strings.Count(bell.String(), "\a"); n != 1 {
		t.Fatalf("a new emergency rang %d times, want once", n)
	}
}
