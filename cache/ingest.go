package cache

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
)

// Keys of the meta table.
const (
	metaDeletedUpTo = "deleted_upto" // local delete-up-to watermark
	metaHighestSeen = "highest_seen" // highest id ever ingested
)

// Ingest stores a downloaded batch in one transaction and returns the
// messages stored for the first time, oldest first, as stored (with their
// local state). It is idempotent: ingesting the same batch again stores
// nothing new and returns nothing.
//
// Local state survives: a message deleted locally stays deleted, a message
// read stays read, and acked only moves from 0 to 1 (a server copy with
// acked=1 also clears AckPending). Server fields of a known message are
// updated; the search index is touched only when its text changed. For
// emergencies sharing a receipt, the newest copy wins (see the package doc).
func (db *DB) Ingest(ctx context.Context, batch []Message) ([]Message, error) {
	if len(batch) == 0 {
		return nil, nil
	}
	// Oldest first, so that of several copies of one emergency in the
	// batch the newest is the one left standing.
	sorted := slices.Clone(batch)
	slices.SortStableFunc(sorted, func(a, b Message) int { return cmpInt64(a.ID, b.ID) })
	for _, m := range sorted {
		if m.ID <= 0 {
			return nil, fmt.Errorf("cache: ingest: message id %d is not positive; the batch was not stored", m.ID)
		}
	}

	var fresh []Message
	err := db.writeTx(ctx, "ingest", func(tx *sql.Tx) error {
		fresh = fresh[:0]
		in := newIngester(ctx, tx, &db.stmts, millis(db.Now()))
		var err error
		if in.deletedUpTo, err = in.meta(metaDeletedUpTo); err != nil {
			return err
		}
		for _, m := range sorted {
			stored, isNew, err := in.one(m)
			if err != nil {
				return fmt.Errorf("message %d: %w", m.ID, err)
			}
			if isNew {
				fresh = append(fresh, stored)
			}
		}
		_, err = in.metaRaise.ExecContext(ctx, metaHighestSeen, sorted[len(sorted)-1].ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return fresh, nil
}

// ingester carries one Ingest transaction, with the prepared statements
// bound to it once (binding per message would allocate per message).
type ingester struct {
	ctx         context.Context
	storedAt    int64
	deletedUpTo int64

	insert, update, tombstoned, receiptCopies, dropOlder, ackReceipt, metaGet, metaRaise *sql.Stmt
}

func newIngester(ctx context.Context, tx *sql.Tx, s *stmts, storedAt int64) *ingester {
	return &ingester{
		ctx: ctx, storedAt: storedAt,
		insert:        tx.StmtContext(ctx, s.insert),
		update:        tx.StmtContext(ctx, s.update),
		tombstoned:    tx.StmtContext(ctx, s.tombstoned),
		receiptCopies: tx.StmtContext(ctx, s.receiptCopies),
		dropOlder:     tx.StmtContext(ctx, s.dropOlder),
		ackReceipt:    tx.StmtContext(ctx, s.ackReceipt),
		metaGet:       tx.StmtContext(ctx, s.metaGet),
		metaRaise:     tx.StmtContext(ctx, s.metaRaise),
	}
}

func (in *ingester) meta(key string) (int64, error) {
	var v int64
	err := in.metaGet.QueryRowContext(in.ctx, key).Scan(&v)
	return v, err
}

// one stores m and reports whether it was new.
func (in *ingester) one(m Message) (Message, bool, error) {
	if m.ID <= in.deletedUpTo {
		return m, false, nil
	}
	var dead bool
	if err := in.tombstoned.QueryRowContext(in.ctx, m.ID, m.Receipt).Scan(&dead); err != nil {
		return m, false, err
	}
	if dead {
		return m, false, nil
	}

	// Local state starts empty, or is inherited from older copies of the
	// same emergency, which this copy then replaces.
	m.Read, m.AckPending = false, false
	if m.Receipt != "" {
		var newest int64
		var read, acked, pending bool
		err := in.receiptCopies.QueryRowContext(in.ctx, m.Receipt, m.ID).
			Scan(&newest, &read, &acked, &pending)
		if err != nil {
			return m, false, err
		}
		if newest > m.ID {
			// An older copy: keep the newer one, but learn the acknowledgement.
			if m.Acked {
				_, err = in.ackReceipt.ExecContext(in.ctx, m.Receipt)
			}
			return m, false, err
		}
		if newest != 0 {
			m.Read = read
			m.Acked = m.Acked || acked
			m.AckPending = pending && !m.Acked
			if _, err := in.dropOlder.ExecContext(in.ctx, m.Receipt, m.ID); err != nil {
				return m, false, err
			}
		}
	}

	res, err := in.insert.ExecContext(in.ctx, m.ID, m.UMID, m.Title, m.Message, m.App,
		m.AID, m.Icon, m.Date, m.QueuedDate, m.DispatchedDate, m.Priority, m.Sound, m.URL, m.URLTitle,
		m.Acked, m.Receipt, m.HTML, m.Monospace, m.Read, m.AckPending, in.storedAt)
	if err != nil {
		return m, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		m.StoredAt = fromMillis(in.storedAt)
		return m, n == 1, err
	}
	// Known already: refresh the server's fields, keep the local ones.
	_, err = in.update.ExecContext(in.ctx, m.UMID, m.Title, m.Message, m.App, m.AID,
		m.Icon, m.Date, m.QueuedDate, m.DispatchedDate, m.Priority, m.Sound, m.URL, m.URLTitle,
		m.Acked, m.Acked, m.Receipt, m.HTML, m.Monospace, m.ID)
	return m, false, err
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
