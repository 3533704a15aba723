package cache

import (
	"context"
	"database/sql"
	"errors"
)

// Well-known state keys, so that the packages sharing them agree.
const (
	// StateLastSync: time of the last completed download, RFC 3339.
	StateLastSync = "last_sync"
	// StateServerDeletedUpTo: highest id deleted on Pushover, decimal.
	StateServerDeletedUpTo = "server_deleted_upto"
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

// DeleteState removes key; removing a missing key is not an error.
func (db *DB) DeleteState(ctx context.Context, key string) error {
	return db.writeTx(ctx, "delete state "+key, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM state WHERE key = ?", key)
		return err
	})
}
