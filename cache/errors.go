package cache

import (
	"errors"
	"fmt"
)

// Errors a caller can test with errors.Is. The wrapped errors carry the
// file name and what the user can do.
var (
	// ErrNotFound: no message (or outbox item) with that id.
	ErrNotFound = errors.New("cache: not found")

	// ErrUnusable: the file is not SQLite, is damaged, or belongs to another
	// program. pobox never writes to such a file.
	ErrUnusable = errors.New("cache: database file unusable")

	// ErrNewerSchema: the file was written by a newer pobox. It is left as it is.
	ErrNewerSchema = errors.New("cache: database written by a newer pobox")

	// ErrClosed: the DB was used after Close.
	ErrClosed = errors.New("cache: database closed")
)

// unusable explains a file pobox refuses to open, naming it and the way out.
func unusable(path string, why error) error {
	return fmt.Errorf("%w: %s: %v; pobox has not changed it. %s", ErrUnusable, path, why, wayOut(path))
}

// damaged explains a file found damaged while in use.
func damaged(path, op string, why error) error {
	return fmt.Errorf("%w: %s: %s: %v. %s", ErrUnusable, path, op, why, wayOut(path))
}

func wayOut(path string) string {
	return fmt.Sprintf("Move it aside (for example: mv %q %q) and pobox will start a new cache; "+
		"messages still on Pushover are downloaded again", path, path+".broken")
}

// wrapErr translates driver errors at the storage edge: a damaged file
// becomes ErrUnusable naming the file; anything else is wrapped with what
// was being done.
func (db *DB) wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if isCorrupt(err) {
		return damaged(db.path, op, err)
	}
	return fmt.Errorf("cache: %s: %w", op, err)
}
