package cache

import (
	"context"
	"database/sql"
	"sync"
)

// watcher asks SQLite's PRAGMA data_version, which changes whenever another
// connection commits to the file. It must ask on one and the same
// connection every time, so it keeps one for itself.
type watcher struct {
	mu      sync.Mutex
	conn    *sql.Conn
	version int64
}

func newWatcher(ctx context.Context, pool *sql.DB) (*watcher, error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return nil, err
	}
	w := &watcher{conn: conn}
	if w.version, err = w.read(ctx); err != nil {
		_ = conn.Close()
		return nil, err
	}
	return w, nil
}

func (w *watcher) read(ctx context.Context) (int64, error) {
	var v int64
	err := w.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v)
	return v, err
}

func (w *watcher) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.conn.Close()
}

// Changed reports whether the database changed since the previous call (the
// first call: since Open). It sees every commit by another connection: other
// pobox processes, and this DB's own writes too. It costs a few
// microseconds, so a follower process can call it on a short timer and
// reload its screen only when it returns true.
func (db *DB) Changed(ctx context.Context) (bool, error) {
	if db.isClosed() {
		return false, ErrClosed
	}
	w := db.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	v, err := w.read(ctx)
	if err != nil {
		return false, db.wrapErr("check for changes", err)
	}
	changed := v != w.version
	w.version = v
	return changed, nil
}
