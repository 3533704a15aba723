package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// SetRead marks the message read (or unread again). It fails with
// ErrNotFound when no such message is stored. The search index is not
// touched.
func (db *DB) SetRead(ctx context.Context, key int64, read bool) error {
	return db.writeTx(ctx, "mark read", func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, db.stmts.setRead).ExecContext(ctx, read, key)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = fmt.Errorf("message %d: %w", key, ErrNotFound)
		}
		return err
	})
}

// Delete deletes one message locally (Pushover has no per-message delete
// for a device) and remembers its device and id, so that the message stays
// deleted if the server sends it again. Deleting a key that is not stored
// does nothing.
func (db *DB) Delete(ctx context.Context, key int64) error {
	return db.writeTx(ctx, "delete message", func(tx *sql.Tx) error {
		var dev, id int64
		var receipt string
		err := tx.QueryRowContext(ctx, "DELETE FROM messages WHERE key = ? RETURNING device, id, receipt", key).
			Scan(&dev, &id, &receipt)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		// Below the device's delete-up-to watermark the id is gone for good
		// already.
		_, err = tx.ExecContext(ctx, `INSERT INTO tombstones (device, id, receipt)
			SELECT ?1, ?2, ?3 WHERE ?2 > (SELECT deleted_upto FROM devices WHERE n = ?1)
			ON CONFLICT (device, id) DO NOTHING`, dev, id, receipt)
		return err
	})
}

// Deleted is what a delete-up-to did.
type Deleted struct {
	Removed int // messages removed here
	// Server is the delete queued for Pushover (Kind OutboxDeleteUpTo),
	// or the zero item when nothing of the device was in range.
	Server OutboxItem
}

// DeleteUpTo deletes here every message with a key at or below key: the
// message and every older one, of every device. In the same transaction,
// durable before it returns, it queues the delete on Pushover for device
// dev (the device of the current login) up to the highest id of dev among
// the removed messages: never above what dev committed, and nothing at all
// for messages of other devices, which are not in dev's queue.
//
// Each removed message also leaves the search index: 80,000 take about
// 0.8 s, so call it off the UI loop.
func (db *DB) DeleteUpTo(ctx context.Context, key, dev int64) (Deleted, error) {
	var d Deleted
	err := db.durableTx(ctx, "delete up to", func(tx *sql.Tx) error {
		var err error
		d, err = db.deleteUpTo(ctx, tx, key, dev, 0)
		return err
	})
	return d, err
}

// DeleteUpToID is DeleteUpTo for a message id of device dev, as a user
// gives it on the command line: it deletes here dev's messages with an id
// at or below id and everything older, and queues the delete on Pushover up
// to id, or up to the highest id dev committed when id is above it (the
// server would otherwise drop messages this cache never stored). Deleted
// .Server.UpToID says which.
func (db *DB) DeleteUpToID(ctx context.Context, dev, id int64) (Deleted, error) {
	var d Deleted
	err := db.durableTx(ctx, "delete up to", func(tx *sql.Tx) error {
		var key, highest int64
		err := tx.QueryRowContext(ctx, `SELECT coalesce((SELECT max(key) FROM messages WHERE device = ?1 AND id <= ?2), 0),
			coalesce((SELECT highest_seen FROM devices WHERE n = ?1), 0)`, dev, id).Scan(&key, &highest)
		if err != nil {
			return err
		}
		d, err = db.deleteUpTo(ctx, tx, key, dev, min(id, highest))
		return err
	})
	return d, err
}

// deleteUpTo removes the messages with a key at or below key, raises the
// watermark of each device involved to the highest of its ids removed, and
// queues the server delete for dev up to the highest of dev's ids removed,
// or serverUpTo when that is higher (it must not exceed what dev committed).
func (db *DB) deleteUpTo(ctx context.Context, tx *sql.Tx, key, dev, serverUpTo int64) (Deleted, error) {
	var d Deleted
	marks := map[int64]int64{}
	if key > 0 {
		rows, err := tx.QueryContext(ctx, `SELECT device, max(id) FROM messages WHERE key <= ? GROUP BY device`, key)
		if err != nil {
			return d, err
		}
		for rows.Next() {
			var n, id int64
			if err := rows.Scan(&n, &id); err != nil {
				rows.Close()
				return d, err
			}
			marks[n] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return d, err
		}
		res, err := tx.ExecContext(ctx, "DELETE FROM messages WHERE key <= ?", key)
		if err != nil {
			return d, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return d, err
		}
		d.Removed = int(n)
	}
	for n, id := range marks {
		if _, err := tx.ExecContext(ctx, `UPDATE devices SET deleted_upto = max(deleted_upto, ?) WHERE n = ?`, id, n); err != nil {
			return d, err
		}
		// The watermark now covers these tombstones.
		if _, err := tx.ExecContext(ctx, "DELETE FROM tombstones WHERE device = ? AND id <= ?", n, id); err != nil {
			return d, err
		}
	}
	upto := max(marks[dev], serverUpTo)
	if dev <= 0 || upto <= 0 {
		return d, nil
	}
	var err error
	d.Server, err = db.enqueueTx(ctx, tx, OutboxItem{Kind: OutboxDeleteUpTo, Device: dev, UpToID: upto})
	return d, err
}

// AcknowledgeReceipt marks every stored message with this receipt as
// acknowledged and clears their AckPending. Call it once the server has
// confirmed the acknowledgement (or reported the receipt already
// acknowledged or expired). It returns how many messages changed.
func (db *DB) AcknowledgeReceipt(ctx context.Context, receipt string) (int, error) {
	if receipt == "" {
		return 0, errors.New("cache: acknowledge: empty receipt")
	}
	var n int64
	err := db.writeTx(ctx, "acknowledge", func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, db.stmts.ackReceipt).ExecContext(ctx, receipt)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// NewestKey returns the highest key ever assigned (0 when none), whether
// or not that message is still stored: every message stored later has a
// higher key.
func (db *DB) NewestKey(ctx context.Context) (int64, error) {
	return db.readInt(ctx, "read the newest key", `SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0)`)
}

// BacklogKey returns the highest key stored by a device's first download
// (0 when none): messages at or below it were backlog, not news.
func (db *DB) BacklogKey(ctx context.Context) (int64, error) {
	return db.readInt(ctx, "read the backlog mark", `SELECT coalesce((SELECT value FROM meta WHERE key = ?), 0)`, metaBacklogKey)
}

func (db *DB) readInt(ctx context.Context, op, query string, args ...any) (int64, error) {
	if db.isClosed() {
		return 0, ErrClosed
	}
	var v int64
	if err := db.read.QueryRowContext(ctx, query, args...).Scan(&v); err != nil {
		return 0, db.wrapErr(op, err)
	}
	return v, nil
}
