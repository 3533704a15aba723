package cache

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

// Connection settings, each with its reason.
const (
	// busyTimeout is how long a writer waits for another process's
	// transaction before giving up with "database is locked". A WAL
	// checkpoint can hold the lock for tens of milliseconds; a bulk
	// delete-up-to in another process for a few seconds.
	busyTimeout = 10 * time.Second

	// readConns is the size of the reader pool. Readers never block each
	// other or the writer in WAL mode; a UI, a list query and the sync
	// engine's lookups rarely need more than a few at once.
	readConns = 4

	// applicationID marks the file as pobox's ("POBX") in its header, so a
	// SQLite file of another program is recognised and left alone.
	applicationID = 0x504f4258
)

// sqliteMagic starts every SQLite database file.
var sqliteMagic = []byte("SQLite format 3\x00")

// DB is an open pobox cache. It is safe for use by several goroutines.
type DB struct {
	// Now returns the current time (stored-at times, outbox times). Open
	// sets it to time.Now; a test may replace it right after Open, before
	// the DB is shared.
	Now func() time.Time

	path  string
	write *sql.DB // one connection; transactions start with BEGIN IMMEDIATE
	read  *sql.DB // query-only connections

	stmts  stmts       // hot statements prepared in Open
	lists  listStmts   // list/count statements, prepared once per filter shape
	names  deviceNames // device names for the rows a read returns
	watch  *watcher    // PRAGMA data_version on a dedicated connection
	closed chan struct{}
	once   sync.Once
	err    error

	// testDurable, when a test sets it, sees the synchronous level (2 is
	// FULL) of each durable transaction just before it commits.
	testDurable func(op string, level int)
	// durable is what ObserveDurable set.
	durable atomic.Pointer[func(op string)]
}

// ObserveDurable makes fn run after each durable commit (synchronous=FULL:
// RecordSync, the outbox's enqueues, DeleteUpTo) with the name of its
// operation, so that the tests of packages that depend on that order (the
// sync engine deletes on Pushover only after one) can see it. nil stops.
func (db *DB) ObserveDurable(fn func(op string)) {
	if fn == nil {
		db.durable.Store(nil)
		return
	}
	db.durable.Store(&fn)
}

// Open opens the cache at path, creating its directory (mode 0700) and the
// file (0600) when missing, and migrates the schema to the current version.
// A file written by a newer pobox fails with ErrNewerSchema and a file that
// is not a usable pobox database with ErrUnusable; neither is modified.
func Open(ctx context.Context, path string) (*DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	if err := prepareFile(abs); err != nil {
		return nil, err
	}
	db := &DB{Now: time.Now, path: abs, closed: make(chan struct{})}
	if err := db.open(ctx, migrations); err != nil {
		_ = db.closeAll() // the open error is the one to report
		return nil, err
	}
	return db, nil
}

// Path returns the absolute path of the database file.
func (db *DB) Path() string { return db.path }

// prepareFile creates the directory and an empty database file with private
// modes before SQLite sees the path: SQLite gives the -wal and -shm files the
// mode of the database file, so they are private too. An existing file is
// checked for the SQLite header, so that pobox never writes into a file that
// is not a database.
func prepareFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("cache: create the directory of the database: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close() // new, empty: SQLite initialises it
	}
	if !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("cache: create the database: %w", err)
	}
	f, err = os.Open(path)
	if err != nil {
		return fmt.Errorf("cache: open the database: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cache: open the database: %w", err)
	}
	if st.IsDir() {
		return unusable(path, errors.New("is a directory"))
	}
	head := make([]byte, len(sqliteMagic))
	n, err := io.ReadFull(f, head)
	switch {
	case n == 0 && errors.Is(err, io.EOF):
		return nil // empty file, for example from an interrupted first start
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("cache: read the database: %w", err)
	case !bytes.Equal(head[:n], sqliteMagic):
		return unusable(path, errors.New("not a SQLite database"))
	}
	return nil
}

// dsn builds the mattn/go-sqlite3 connection string. The path is a file:
// URI so that characters such as '?' and '#' in it stay part of the name.
func dsn(path string, params url.Values) string {
	u := url.URL{Scheme: "file", Path: path}
	params.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	// NORMAL: in WAL mode a commit cannot corrupt the file, but the last
	// commits before a power cut can roll back. That is fine for most
	// writes (the server still holds what a download stored); the writes
	// that must survive (what is about to be deleted on the server, queued
	// actions) go through durableTx.
	params.Set("_synchronous", "NORMAL")
	params.Set("_foreign_keys", "1")
	return u.String() + "?" + params.Encode()
}

// openWriter opens the write connection, checks the file, switches it to
// WAL and migrates it with ms.
func (db *DB) openWriter(ctx context.Context, ms []migration) error {
	var err error
	// _txlock=immediate: every write transaction takes the write lock at
	// BEGIN, where the busy timeout applies. A deferred transaction that
	// reads first and then writes can fail with SQLITE_BUSY at once when
	// another process wrote in between.
	db.write, err = sql.Open("sqlite3", dsn(db.path, url.Values{"_txlock": {"immediate"}}))
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	db.write.SetConnMaxIdleTime(0)

	// Check whose file this is and its schema version before anything
	// writes to it (even switching to WAL rewrites the header).
	if err := db.checkFile(ctx, len(ms)); err != nil {
		return err
	}
	mode, err := db.switchToWAL(ctx)
	if err != nil {
		return db.wrapErr("switch to WAL", err)
	}
	if mode != "wal" {
		return fmt.Errorf("cache: %s: SQLite refused WAL mode (got %q); is the file on a network file system? "+
			"Keep the cache on a local disk", db.path, mode)
	}
	return db.migrate(ctx, ms)
}

// switchToWAL sets WAL mode (persistent in the file) and returns the mode
// now in force. Changing the mode needs the file to itself and SQLite does
// not apply the busy timeout to it, so when another process opens the same
// new file at the same moment, retry for up to busyTimeout.
func (db *DB) switchToWAL(ctx context.Context) (string, error) {
	deadline := time.Now().Add(busyTimeout)
	wait := time.Millisecond
	for {
		var mode string
		err := db.write.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return mode, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return "", ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 50*time.Millisecond)
	}
}

func (db *DB) open(ctx context.Context, ms []migration) error {
	if err := db.openWriter(ctx, ms); err != nil {
		return err
	}
	var err error
	db.read, err = sql.Open("sqlite3", dsn(db.path, url.Values{"_query_only": {"1"}}))
	if err != nil {
		return fmt.Errorf("cache: %w", err)
	}
	// One more than readConns: the watcher keeps a connection for itself.
	db.read.SetMaxOpenConns(readConns + 1)
	db.read.SetMaxIdleConns(readConns + 1)
	db.read.SetConnMaxLifetime(0)
	db.read.SetConnMaxIdleTime(0)

	if db.watch, err = newWatcher(ctx, db.read); err != nil {
		return db.wrapErr("watch for changes", err)
	}
	if err := db.stmts.prepare(ctx, db.write, db.read); err != nil {
		return db.wrapErr("prepare statements", err)
	}
	db.lists.init(db.read)
	return nil
}

// Close releases the prepared statements and connections. It is safe to
// call more than once; calls on a closed DB fail with ErrClosed.
func (db *DB) Close() error {
	db.once.Do(func() {
		close(db.closed)
		db.err = db.closeAll()
	})
	return db.err
}

// closeAll closes whatever open managed to create.
func (db *DB) closeAll() error {
	var errs []error
	errs = append(errs, db.lists.close(), db.stmts.close())
	if db.watch != nil {
		errs = append(errs, db.watch.close())
	}
	for _, p := range []*sql.DB{db.read, db.write} {
		if p != nil {
			errs = append(errs, p.Close())
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cache: close: %w", err)
	}
	return nil
}

// isClosed reports whether Close has been called.
func (db *DB) isClosed() bool {
	select {
	case <-db.closed:
		return true
	default:
		return false
	}
}

// writeTx runs fn in one write transaction (BEGIN IMMEDIATE), committing
// when fn returns nil and rolling back otherwise.
func (db *DB) writeTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	if db.isClosed() {
		return ErrClosed
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return db.wrapErr(op, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return db.wrapErr(op, err)
	}
	if err := tx.Commit(); err != nil {
		return db.wrapErr(op, err)
	}
	return nil
}

// durableTx is writeTx for a transaction that must survive a power cut
// once it returns: it runs with synchronous=FULL, so its commit fsyncs the
// write-ahead log. That one fsync also makes every earlier commit durable,
// since they are all in the log before it. Pinning the connection keeps the
// pragma on the connection that runs the transaction.
func (db *DB) durableTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	if db.isClosed() {
		return ErrClosed
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return db.wrapErr(op, err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = FULL"); err != nil {
		return db.wrapErr(op, err)
	}
	defer func() {
		// Back to the cheaper setting for the other writes; should this
		// fail, they are only slower.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA synchronous = NORMAL")
	}()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return db.wrapErr(op, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return db.wrapErr(op, err)
	}
	if db.testDurable != nil {
		var level int
		if err := tx.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&level); err == nil {
			db.testDurable(op, level)
		}
	}
	if err := tx.Commit(); err != nil {
		return db.wrapErr(op, err)
	}
	if fn := db.durable.Load(); fn != nil {
		(*fn)(op)
	}
	return nil
}

// millis converts a time to the Unix milliseconds stored in the database.
func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMillis converts stored Unix milliseconds back; 0 is the zero time.
func fromMillis(ms int64) time.Time {
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
