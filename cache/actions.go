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
func (db *DB) SetRead(ctx context.Context, id int64, read bool) error {
	return db.writeTx(ctx, "mark read", func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, db.stmts.setRead).ExecContext(ctx, read, id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = fmt.Errorf("message %d: %w", id, ErrNotFound)
		}
		return err
	})
}

// Delete deletes one message locally (Pushover has no per-message delete
// for a device) and remembers its id, so that the message stays deleted if
// the server sends it again. Deleting an id that is not stored only
// remembers it.
func (db *DB) Delete(ctx context.Context, id int64) error {
	return db.writeTx(ctx, "delete message", func(tx *sql.Tx) error {
		var receipt string
		err := tx.QueryRowContext(ctx, "SELECT receipt FROM messages WHERE id = ?", id).Scan(&receipt)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM messages WHERE id = ?", id); err != nil {
			return err
		}
		// Below the delete-up-to watermark the id is gone for good already.
		_, err = tx.ExecContext(ctx, `INSERT INTO tombstones (id, receipt)
			SELECT ?1, ?2 WHERE ?1 > (SELECT coalesce((SELECT value FROM meta WHERE key = ?3), 0))
			ON CONFLICT (id) DO NOTHING`, id, receipt, metaDeletedUpTo)
		return err
	})
}

// DeleteUpTo deletes locally every message with an id at or below id, and
// keeps them deleted when the server sends them again. It returns how many
// messages it removed. (Deleting them on Pushover too is the sync engine's
// part: an outbox item.) Each removed message also leaves the search
// index: 80,000 take about 0.8 s, so call it off the UI loop.
func (db *DB) DeleteUpTo(ctx context.Context, id int64) (int, error) {
	var n int64
	err := db.writeTx(ctx, "delete up to", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM messages WHERE id <= ?", id)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, db.stmts.metaRaise).ExecContext(ctx, metaDeletedUpTo, id); err != nil {
			return err
		}
		// The watermark now covers these tombstones.
		_, err = tx.ExecContext(ctx, "DELETE FROM tombstones WHERE id <= ?", id)
		return err
	})
	return int(n), err
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

// HighestID returns the highest message id ever ingested (0 when none),
// whether or not that message has been deleted locally since.
func (db *DB) HighestID(ctx context.Context) (int64, error) {
	return db.metaValue(ctx, metaHighestSeen)
}

// DeletedUpTo returns the local delete-up-to watermark (0 when none).
func (db *DB) DeletedUpTo(ctx context.Context) (int64, error) {
	return db.metaValue(ctx, metaDeletedUpTo)
}

func (db *DB) metaValue(ctx context.Context, key string) (int64, error) {
	if db.isClosed() {
		return 0, ErrClosed
	}
	var v int64
	err := db.read.QueryRowContext(ctx, "SELECT coalesce((SELECT value FROM meta WHERE key = ?), 0)", key).Scan(&v)
	if err != nil {
		return 0, db.wrapErr("read "+key, err)
	}
	return v, nil
}
