//go:build cgo

package cache

import (
	"errors"

	"github.com/mattn/go-sqlite3"
)

// isCorrupt reports whether err is SQLite saying that the file is not a
// database or is damaged.
func isCorrupt(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB
	}
	return false
}

// isBusy reports whether err is SQLite saying that another connection
// holds the lock.
func isBusy(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.Code == sqlite3.ErrBusy
}
