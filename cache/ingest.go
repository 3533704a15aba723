package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
)

// Keys of the meta table.
const (
	// metaBacklogKey is the highest key stored by a device's first
	// download (its backlog), so that followers do not announce it as news.
	metaBacklogKey = "backlog_key"
)

// Batch is one downloaded batch for Ingest.
type Batch struct {
	// Device is the number of the device the messages were downloaded
	// for (from UseDevice): their ids are relative to it.
	Device int64
	// Messages as downloaded; each needs a positive ID.
	Messages []Message
	// Backlog marks messages of the device's first download, which waited
	// on the server before pobox logged in: the mark is committed with the
	// batch, so a follower looking in between never takes them for news.
	Backlog bool
}

// Ingest stores a downloaded batch in one transaction and returns the
// messages stored for the first time, oldest first, as stored (with their
// keys and local state). It is idempotent: ingesting the same batch again
// stores nothing new and returns nothing.
//
// Local state survives: a message deleted locally stays deleted, a message
// read stays read, and acked only moves from 0 to 1 (a server copy with
// acked=1 also clears AckPending). Server fields of a known message are
// updated; the search index is touched only when its text changed. For
// emergencies sharing a receipt, the newest copy wins (see the package doc).
func (db *DB) Ingest(ctx context.Context, b Batch) ([]Message, error) {
	if len(b.Messages) == 0 {
		return nil, nil
	}
	for _, m := range b.Messages {
		if m.ID <= 0 {
			return nil, fmt.Errorf("cache: ingest: message id %d is not positive; the batch was not stored", m.ID)
		}
	}
	sorted := newestCopies(b.Messages)

	var fresh []Message
	err := db.writeTx(ctx, "ingest", func(tx *sql.Tx) error {
		in, err := newIngester(ctx, tx, &db.stmts, millis(db.Now()), b.Device, sorted)
		if err != nil {
			return err
		}
		fresh = fresh[:0]
		for _, m := range sorted {
			stored, isNew, err := in.one(m)
			if err != nil {
				return fmt.Errorf("message %d: %w", m.ID, err)
			}
			if isNew {
				fresh = append(fresh, stored)
				in.count(stored)
			}
		}
		return in.finish(fresh, sorted[len(sorted)-1].ID, b.Backlog)
	})
	if err != nil {
		return nil, err
	}
	name := db.deviceName(ctx, b.Device)
	for i := range fresh {
		fresh[i].DeviceName = name
	}
	return fresh, nil
}

// newestCopies returns the batch in id order with only the newest copy of
// each emergency receipt; an older copy's acked=1 passes to the newest.
// Copies from earlier batches are handled in the database (ingester.receipt).
func newestCopies(batch []Message) []Message {
	sorted := slices.Clone(batch)
	slices.SortStableFunc(sorted, func(a, b Message) int { return cmpInt64(a.ID, b.ID) })
	newest := map[string]int{} // receipt -> index in sorted
	var drop map[int64]bool    // ids of older copies
	for i := len(sorted) - 1; i >= 0; i-- {
		r := sorted[i].Receipt
		if r == "" {
			continue
		}
		j, ok := newest[r]
		if !ok || sorted[j].ID == sorted[i].ID {
			newest[r] = i
			continue
		}
		sorted[j].Acked = sorted[j].Acked || sorted[i].Acked
		if drop == nil {
			drop = map[int64]bool{}
		}
		drop[sorted[i].ID] = true
	}
	if drop == nil {
		return sorted
	}
	return slices.DeleteFunc(sorted, func(m Message) bool { return drop[m.ID] })
}

// ingester carries one Ingest transaction, with the prepared statements
// bound to it once (binding per message would allocate per message).
type ingester struct {
	ctx         context.Context
	storedAt    int64
	device      int64
	deletedUpTo int64
	tombstones  map[int64]bool       // single deletes within the batch's id range
	counts      map[string]*AppCount // counters of the new rows, per app

	insert, index, update, receiptTomb, receiptCopies, dropOlder, ackReceipt, metaRaise, devRaise, addCounts *sql.Stmt
}

func newIngester(ctx context.Context, tx *sql.Tx, s *stmts, storedAt, device int64, sorted []Message) (*ingester, error) {
	in := &ingester{
		ctx: ctx, storedAt: storedAt, device: device,
		tombstones:    map[int64]bool{},
		counts:        map[string]*AppCount{},
		insert:        tx.StmtContext(ctx, s.insert),
		index:         tx.StmtContext(ctx, s.index),
		update:        tx.StmtContext(ctx, s.update),
		receiptTomb:   tx.StmtContext(ctx, s.receiptTomb),
		receiptCopies: tx.StmtContext(ctx, s.receiptCopies),
		dropOlder:     tx.StmtContext(ctx, s.dropOlder),
		ackReceipt:    tx.StmtContext(ctx, s.ackReceipt),
		metaRaise:     tx.StmtContext(ctx, s.metaRaise),
		devRaise:      tx.StmtContext(ctx, s.devRaise),
		addCounts:     tx.StmtContext(ctx, s.addCounts),
	}
	err := tx.StmtContext(ctx, s.devWatermark).QueryRowContext(ctx, device).Scan(&in.deletedUpTo)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("device %d is not in the cache (UseDevice adds it)", device)
	}
	if err != nil {
		return nil, err
	}
	// One query for the batch instead of one per message.
	rows, err := tx.StmtContext(ctx, s.tombsIn).QueryContext(ctx, device, sorted[0].ID, sorted[len(sorted)-1].ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		in.tombstones[id] = true
	}
	return in, rows.Err()
}

// one stores m and reports whether it was new.
func (in *ingester) one(m Message) (Message, bool, error) {
	if m.ID <= in.deletedUpTo || in.tombstones[m.ID] {
		return m, false, nil
	}
	// Local state starts empty, or is inherited from older copies of the
	// same emergency, which this copy then replaces.
	m.Read, m.AckPending = false, false
	if m.Receipt != "" {
		keep, err := in.receipt(&m)
		if !keep || err != nil {
			return m, false, err
		}
	}

	m.Device = in.device
	res, err := in.insert.ExecContext(in.ctx, m.Device, m.ID, m.UMID, m.Title, m.Message, m.App,
		m.AID, m.Icon, m.Date, m.QueuedDate, m.DispatchedDate, m.Priority, m.Sound, m.URL, m.URLTitle,
		m.Acked, m.Receipt, m.HTML, m.Monospace, m.Problem, m.Read, m.AckPending, in.storedAt)
	if err != nil {
		return m, false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return m, false, err
	}
	if n == 1 {
		m.StoredAt = fromMillis(in.storedAt)
		m.Key, err = res.LastInsertId()
		return m, true, err
	}
	// Known already: refresh the server's fields, keep the local ones.
	_, err = in.update.ExecContext(in.ctx, m.UMID, m.Title, m.Message, m.App, m.AID,
		m.Icon, m.Date, m.QueuedDate, m.DispatchedDate, m.Priority, m.Sound, m.URL, m.URLTitle,
		m.Acked, m.Acked, m.Receipt, m.HTML, m.Monospace, m.Problem, m.Device, m.ID)
	return m, false, err
}

// receipt applies newest-copy-wins to an emergency: it reports whether m is
// to be stored, and when it replaces older copies it takes over their local
// state and removes them. Copies are ordered by (device, id): devices are
// numbered in the order they were first used, so a later device's copy is
// the newer one.
func (in *ingester) receipt(m *Message) (keep bool, err error) {
	var dead bool
	if err := in.receiptTomb.QueryRowContext(in.ctx, m.Receipt, in.device, m.ID).Scan(&dead); err != nil || dead {
		return false, err // a newer copy was deleted locally
	}
	var dev, id int64
	var read, acked, pending bool
	err = in.receiptCopies.QueryRowContext(in.ctx, m.Receipt, in.device, m.ID).Scan(&dev, &id, &read, &acked, &pending)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return true, nil // the first copy
	case err != nil:
		return false, err
	case dev > in.device || (dev == in.device && id > m.ID):
		// An older copy: keep the newer one, but learn the acknowledgement.
		if m.Acked {
			_, err = in.ackReceipt.ExecContext(in.ctx, m.Receipt)
		}
		return false, err
	}
	m.Read = read
	m.Acked = m.Acked || acked
	m.AckPending = pending && !m.Acked
	_, err = in.dropOlder.ExecContext(in.ctx, m.Receipt, in.device, m.ID)
	return true, err
}

// count adds a new message to the per-app counters. Ingest keeps them
// itself rather than by an INSERT trigger: one statement per app and batch
// instead of one per message. Updates and deletes are counted by triggers.
func (in *ingester) count(m Message) {
	c := in.counts[m.App]
	if c == nil {
		c = &AppCount{App: m.App}
		in.counts[m.App] = c
	}
	c.Total++
	if !m.Read {
		c.Unread++
	}
	if m.NeedsAck() {
		c.Unacked++
		if m.AckPending {
			c.AckPending++
		}
	}
}

// finish writes the counters and the highest id seen, then indexes the new
// messages. Indexing comes last, one insert after the other with no other
// statement in between: FTS4 collects the terms of consecutive inserts in
// memory and writes them as one index segment at commit, but any statement
// that opens a statement savepoint (an INSERT with a trigger, an upsert)
// makes it write out what it has so far. Indexing each message next to its
// row, or from an INSERT trigger, writes one small segment per message and
// runs several times slower.
func (in *ingester) finish(fresh []Message, highest int64, backlog bool) error {
	for _, c := range in.counts {
		if _, err := in.addCounts.ExecContext(in.ctx, c.App, c.Total, c.Unread, c.Unacked, c.AckPending); err != nil {
			return err
		}
	}
	if _, err := in.devRaise.ExecContext(in.ctx, highest, in.device); err != nil {
		return err
	}
	if backlog && len(fresh) > 0 {
		if _, err := in.metaRaise.ExecContext(in.ctx, metaBacklogKey, fresh[len(fresh)-1].Key); err != nil {
			return err
		}
	}
	for _, m := range fresh {
		if _, err := in.index.ExecContext(in.ctx, m.Key, m.Title, m.Message, m.App, m.URLTitle); err != nil {
			return fmt.Errorf("index message %d: %w", m.ID, err)
		}
	}
	return nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
