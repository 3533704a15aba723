package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// stmts holds the statements every screen and every download runs, prepared
// once in Open. database/sql re-prepares a statement on another connection
// of the same pool by itself, and Tx.StmtContext reuses the preparation of
// the transaction's connection.
type stmts struct {
	all []*sql.Stmt

	// write pool
	insert        *sql.Stmt
	index         *sql.Stmt
	update        *sql.Stmt
	receiptTomb   *sql.Stmt
	tombsIn       *sql.Stmt
	addCounts     *sql.Stmt
	receiptCopies *sql.Stmt
	dropOlder     *sql.Stmt
	ackReceipt    *sql.Stmt
	metaRaise     *sql.Stmt
	devRaise      *sql.Stmt
	devWatermark  *sql.Stmt
	setRead       *sql.Stmt

	// read pool
	get    *sql.Stmt
	counts *sql.Stmt
}

func (s *stmts) prepare(ctx context.Context, write, read *sql.DB) error {
	list := []struct {
		dst  **sql.Stmt
		pool *sql.DB
		sql  string
	}{
		{&s.insert, write, `INSERT INTO messages (` + insertColumns + `)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (device, id) DO NOTHING`},
		{&s.index, write, `INSERT INTO messages_fts (docid, title, message, app, url_title) VALUES (?, ?, ?, ?, ?)`},
		// Server fields follow the server, except that acked never goes
		// back from 1 to 0. Local state (read, ack_pending, stored_at) stays.
		{&s.update, write, `UPDATE messages SET umid = ?, title = ?, message = ?, app = ?, aid = ?,
			icon = ?, date = ?, queued_date = ?, dispatched_date = ?, priority = ?, sound = ?, url = ?,
			url_title = ?, acked = max(acked, ?), ack_pending = ack_pending AND NOT ?, receipt = ?,
			html = ?, monospace = ?, problem = ?
			WHERE device = ? AND id = ?`},
		{&s.tombsIn, write, `SELECT id FROM tombstones WHERE device = ? AND id BETWEEN ? AND ?`},
		// A copy deleted locally that is newer than (device ?2, id ?3).
		{&s.receiptTomb, write, `SELECT EXISTS (SELECT 1 FROM tombstones WHERE receipt = ?1 AND receipt <> ''
			AND (device > ?2 OR (device = ?2 AND id > ?3)))`},
		{&s.addCounts, write, `INSERT INTO app_counts (app, total, unread, unacked, ack_pending) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (app) DO UPDATE SET total = total + excluded.total, unread = unread + excluded.unread,
			unacked = unacked + excluded.unacked, ack_pending = ack_pending + excluded.ack_pending`},
		// The newest other copy of a receipt, with the local state of all
		// of them.
		{&s.receiptCopies, write, `SELECT device, id, max(read) OVER (), max(acked) OVER (), max(ack_pending) OVER ()
			FROM messages WHERE receipt = ?1 AND receipt <> '' AND NOT (device = ?2 AND id = ?3)
			ORDER BY device DESC, id DESC LIMIT 1`},
		{&s.dropOlder, write, `DELETE FROM messages WHERE receipt = ?1 AND receipt <> ''
			AND (device < ?2 OR (device = ?2 AND id < ?3))`},
		{&s.ackReceipt, write, `UPDATE messages SET acked = 1, ack_pending = 0
			WHERE receipt = ? AND receipt <> '' AND (acked = 0 OR ack_pending <> 0)`},
		{&s.metaRaise, write, `INSERT INTO meta (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`},
		{&s.devRaise, write, `UPDATE devices SET highest_seen = max(highest_seen, ?) WHERE n = ?`},
		{&s.devWatermark, write, `SELECT deleted_upto FROM devices WHERE n = ?`},
		{&s.setRead, write, `UPDATE messages SET read = ? WHERE key = ?`},

		{&s.get, read, `SELECT ` + columns + ` FROM messages WHERE key = ?`},
		{&s.counts, read, `SELECT app, total, unread, unacked, ack_pending FROM app_counts ORDER BY app`},
	}
	for _, st := range list {
		p, err := st.pool.PrepareContext(ctx, st.sql)
		if err != nil {
			return fmt.Errorf("%w in %s", err, st.sql)
		}
		*st.dst = p
		s.all = append(s.all, p)
	}
	return nil
}

func (s *stmts) close() error {
	var errs []error
	for _, st := range s.all {
		errs = append(errs, st.Close())
	}
	s.all = nil
	return errors.Join(errs...)
}

// listStmts prepares each list and count query the first time its shape
// (which filters are set) is used, then reuses it. There are at most a few
// dozen shapes, so the cache needs no eviction.
type listStmts struct {
	mu   sync.Mutex
	pool *sql.DB
	m    map[string]*sql.Stmt
}

func (l *listStmts) init(pool *sql.DB) {
	l.pool = pool
	l.m = make(map[string]*sql.Stmt)
}

// get returns the prepared statement for query.
func (l *listStmts) get(ctx context.Context, query string) (*sql.Stmt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		return nil, ErrClosed
	}
	if st, ok := l.m[query]; ok {
		return st, nil
	}
	st, err := l.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	l.m[query] = st
	return st, nil
}

func (l *listStmts) close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	for _, st := range l.m {
		errs = append(errs, st.Close())
	}
	l.m = nil
	return errors.Join(errs...)
}
