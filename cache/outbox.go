package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OutboxKind is what an outbox item asks of the server.
type OutboxKind string

// The actions the outbox holds.
const (
	OutboxAck        OutboxKind = "ack"         // acknowledge Receipt
	OutboxDeleteUpTo OutboxKind = "delete_upto" // delete every message with id <= UpToID
)

// maxErrorLen bounds the stored text of a failure.
const maxErrorLen = 1000

// OutboxItem is one action waiting for the server. Items survive restarts
// and are replayed in ID order.
type OutboxItem struct {
	ID   int64      // order of enqueueing
	Kind OutboxKind // what to ask of the server; a newer pobox may have queued a kind this one does not know
	// Device is the number of the device that queued the action: a
	// delete-up-to names an id of that device's queue, and must never be
	// sent with another device's id.
	Device      int64
	Receipt     string // OutboxAck: the receipt to acknowledge
	UpToID      int64  // OutboxDeleteUpTo: the watermark
	Attempts    int    // failed attempts so far
	LastError   string // the last failure, "" if none
	Created     time.Time
	LastAttempt time.Time // zero if never attempted
}

// EnqueueAck queues the acknowledgement of receipt for device dev and
// marks the messages sharing it AckPending, in one transaction that is
// durable when EnqueueAck returns. If the same acknowledgement is already
// waiting, that item is returned instead of a second one.
func (db *DB) EnqueueAck(ctx context.Context, dev int64, receipt string) (OutboxItem, error) {
	if receipt == "" {
		return OutboxItem{}, errors.New("cache: enqueue acknowledgement: empty receipt")
	}
	var it OutboxItem
	err := db.durableTx(ctx, "enqueue acknowledgement", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE messages SET ack_pending = 1
			WHERE receipt = ? AND receipt <> '' AND acked = 0 AND ack_pending = 0`, receipt); err != nil {
			return err
		}
		var err error
		it, err = db.enqueueTx(ctx, tx, OutboxItem{Kind: OutboxAck, Device: dev, Receipt: receipt})
		return err
	})
	return it, err
}

// EnqueueDeleteUpTo queues a delete-up-to id on the server for device dev,
// lowered to the highest id dev committed to the cache (above it the server
// would delete messages never stored here); it fails when dev committed
// nothing. The local delete is DeleteUpTo, which queues this itself. If the
// same watermark is already waiting, that item is returned. Items are never
// merged: an item being sent while a higher one is queued must not be
// changed under the sender.
func (db *DB) EnqueueDeleteUpTo(ctx context.Context, dev, id int64) (OutboxItem, error) {
	if id <= 0 {
		return OutboxItem{}, fmt.Errorf("cache: enqueue delete-up-to: id %d is not positive", id)
	}
	var it OutboxItem
	err := db.durableTx(ctx, "enqueue delete-up-to", func(tx *sql.Tx) error {
		var highest int64
		err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT highest_seen FROM devices WHERE n = ?), 0)`, dev).Scan(&highest)
		if err != nil {
			return err
		}
		if highest <= 0 {
			return fmt.Errorf("device %d has stored no message: nothing to delete on Pushover", dev)
		}
		it, err = db.enqueueTx(ctx, tx, OutboxItem{Kind: OutboxDeleteUpTo, Device: dev, UpToID: min(id, highest)})
		return err
	})
	return it, err
}

// enqueueTx adds it to the outbox inside tx, or returns the same action
// already waiting.
func (db *DB) enqueueTx(ctx context.Context, tx *sql.Tx, it OutboxItem) (OutboxItem, error) {
	row := tx.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox
		WHERE kind = ? AND device = ? AND receipt = ? AND upto_id = ? ORDER BY id LIMIT 1`, it.Kind, it.Device, it.Receipt, it.UpToID)
	found, err := scanOutbox(row)
	if err == nil {
		return found, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return it, err
	}
	it.Created = db.Now()
	res, err := tx.ExecContext(ctx, "INSERT INTO outbox (kind, device, receipt, upto_id, created_at) VALUES (?, ?, ?, ?, ?)",
		it.Kind, it.Device, it.Receipt, it.UpToID, millis(it.Created))
	if err != nil {
		return it, err
	}
	it.ID, err = res.LastInsertId()
	return it, err
}

// Outbox returns the waiting items, oldest first: the order to replay them.
func (db *DB) Outbox(ctx context.Context) ([]OutboxItem, error) {
	if db.isClosed() {
		return nil, ErrClosed
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+outboxColumns+` FROM outbox ORDER BY id`)
	if err != nil {
		return nil, db.wrapErr("read the outbox", err)
	}
	defer rows.Close()
	var items []OutboxItem
	for rows.Next() {
		it, err := scanOutbox(rows)
		if err != nil {
			return nil, db.wrapErr("read the outbox", err)
		}
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return nil, db.wrapErr("read the outbox", err)
	}
	return items, nil
}

// OutboxDone removes an item: the server carried it out, or refused it for
// good and the sync engine gives up. For an acknowledgement it also clears
// AckPending; on success call AcknowledgeReceipt as well (before or after:
// both are idempotent). Removing an item that is gone is not an error.
func (db *DB) OutboxDone(ctx context.Context, itemID int64) error {
	return db.writeTx(ctx, "finish outbox item", func(tx *sql.Tx) error {
		var kind OutboxKind
		var receipt string
		err := tx.QueryRowContext(ctx, "DELETE FROM outbox WHERE id = ? RETURNING kind, receipt", itemID).Scan(&kind, &receipt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil || kind != OutboxAck {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE messages SET ack_pending = 0
			WHERE receipt = ? AND receipt <> '' AND ack_pending <> 0
			AND NOT EXISTS (SELECT 1 FROM outbox WHERE kind = 'ack' AND receipt = ?1)`, receipt)
		return err
	})
}

// OutboxFailed records a failed attempt: one more attempt, its time and
// reason. The reason is stored and shown: it must not contain secrets.
// It fails with ErrNotFound when the item is gone.
func (db *DB) OutboxFailed(ctx context.Context, itemID int64, reason string) error {
	if len(reason) > maxErrorLen {
		reason = reason[:maxErrorLen]
	}
	return db.writeTx(ctx, "record outbox failure", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, last_attempt_at = ?
			WHERE id = ?`, reason, millis(db.Now()), itemID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = fmt.Errorf("outbox item %d: %w", itemID, ErrNotFound)
		}
		return err
	})
}

const outboxColumns = `id, kind, device, receipt, upto_id, attempts, last_error, created_at, last_attempt_at`

func scanOutbox(s scanner) (OutboxItem, error) {
	var it OutboxItem
	var created, last int64
	err := s.Scan(&it.ID, &it.Kind, &it.Device, &it.Receipt, &it.UpToID, &it.Attempts, &it.LastError, &created, &last)
	it.Created, it.LastAttempt = fromMillis(created), fromMillis(last)
	return it, err
}
