package cache

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// Well-known state keys, so that the packages sharing them agree.
const (
	// StateLastSync: time of the last download, RFC 3339 (RecordSync).
	StateLastSync = "last_sync"
)

// State returns the value stored under key, and whether there is one.
func (db *DB) State(ctx context.Context, key string) (string, bool, error) {
	if db.isClosed() {
		return "", false, ErrClosed
	}
	var v string
	err := db.read.QueryRowContext(ctx, "SELECT value FROM state WHERE key = ?", key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, db.wrapErr("read state "+key, err)
	}
	return v, true, nil
}

// SetState stores value under key, replacing any earlier value.
func (db *DB) SetState(ctx context.Context, key, value string) error {
	return db.writeTx(ctx, "write state "+key, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO state (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
		return err
	})
}

// RecordSync notes a download of device dev at time at (StateLastSync)
// and, when complete, that the device's backlog is stored. Its transaction
// is durable: the sync engine calls it after the last batch and before it
// deletes those messages on Pushover, and the fsync of the log that makes
// this commit durable makes every earlier one durable too (see durableTx).
func (db *DB) RecordSync(ctx context.Context, dev int64, at time.Time, complete bool) error {
	return db.durableTx(ctx, "record the sync", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO state (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, StateLastSync, at.UTC().Format(time.RFC3339Nano)); err != nil {
			return err
		}
		if !complete {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE devices SET backlog_done = 1 WHERE n = ?`, dev)
		return err
	})
}

// DeleteState removes key; removing a missing key is not an error.
func (db *DB) DeleteState(ctx context.Context, key string) error {
	return db.writeTx(ctx, "delete state "+key, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM state WHERE key = ?", key)
		return err
	})
}
