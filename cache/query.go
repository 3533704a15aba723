package cache

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// MaxLimit caps the rows of one list read: a screen, not the whole cache.
const MaxLimit = 1000

// Filter selects messages for a list read. The zero Filter selects every
// message; each set field narrows it further (they are ANDed).
type Filter struct {
	// App keeps messages of the app with exactly this name.
	App string
	// MinPriority, when not nil, keeps messages with priority >= *MinPriority.
	MinPriority *int
	// Unread keeps messages not yet read.
	Unread bool
	// Unacked keeps emergencies nobody has acknowledged yet (priority 2 with
	// a receipt and acked=0), including those whose acknowledgement waits
	// in the outbox.
	Unacked bool
	// Search keeps messages whose title, message, app or url_title contain
	// every word of Search as a word or a word prefix, ignoring case and
	// diacritics ("cafe" finds "Café", "backu" finds "backups"). Any text
	// is accepted: quotes, '*', '-', AND, NEAR and the like are plain text.
	// Text without any letter or digit does not filter.
	Search string
}

// AtLeast returns a pointer to p, for Filter.MinPriority.
func AtLeast(p int) *int { return &p }

// Older returns up to limit messages older than the message with id before
// (every message when before is 0), newest first: the next screen down.
// Older(ctx, f, 0, n) is the first screen.
func (db *DB) Older(ctx context.Context, f Filter, before int64, limit int) ([]Message, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	return db.list(ctx, kindOlder, f, before, limit)
}

// Newer returns up to limit messages newer than the message with id after,
// those nearest to it, newest first: the next screen up. Newer(ctx, f, 0, n)
// is the last screen (the oldest messages).
func (db *DB) Newer(ctx context.Context, f Filter, after int64, limit int) ([]Message, error) {
	ms, err := db.list(ctx, kindNewer, f, after, limit)
	slices.Reverse(ms) // read oldest first from the cursor; shown newest first
	return ms, err
}

// CountNewer returns how many messages matching f are newer than the one with
// id: its position in the list counted from the top (0 for the newest). Its
// cost grows with that number (about 1 ms per 50,000 rows unfiltered), so
// call it for a position indicator, not on every key press.
func (db *DB) CountNewer(ctx context.Context, f Filter, id int64) (int, error) {
	q, args := buildList(kindCountNewer, f, id, 0)
	st, err := db.listStmt(ctx, q)
	if err != nil {
		return 0, err
	}
	var n int
	if err := st.QueryRowContext(ctx, args...).Scan(&n); err != nil {
		return 0, db.wrapErr("count messages", err)
	}
	return n, nil
}

// Get returns the message with id, or an error wrapping ErrNotFound.
func (db *DB) Get(ctx context.Context, id int64) (Message, error) {
	if db.isClosed() {
		return Message{}, ErrClosed
	}
	m, err := scanMessage(db.stmts.get.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, fmt.Errorf("cache: message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Message{}, db.wrapErr("read message", err)
	}
	return m, nil
}

func (db *DB) list(ctx context.Context, kind listKind, f Filter, cursor int64, limit int) ([]Message, error) {
	if limit <= 0 || limit > MaxLimit {
		return nil, fmt.Errorf("cache: list limit %d out of range 1..%d", limit, MaxLimit)
	}
	q, args := buildList(kind, f, cursor, limit)
	st, err := db.listStmt(ctx, q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, db.wrapErr("list messages", err)
	}
	ms, err := scanMessages(rows, limit)
	if err != nil {
		return nil, db.wrapErr("list messages", err)
	}
	return ms, nil
}

func (db *DB) listStmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if db.isClosed() {
		return nil, ErrClosed
	}
	st, err := db.lists.get(ctx, q)
	if err != nil {
		return nil, db.wrapErr("prepare list query", err)
	}
	return st, nil
}

// listKind is the shape of a list query.
type listKind int

const (
	kindOlder      listKind = iota // id < cursor, newest first
	kindNewer                      // id > cursor, oldest first (reversed by Newer)
	kindCountNewer                 // count of id > cursor
)

// buildList returns the SQL and arguments of a keyset read. The SQL depends
// only on kind and on which filters are set, never on their values, so each
// shape is prepared once. With a search the full-text index drives the scan
// (CROSS JOIN fixes that order): it yields ids newest first from the cursor
// on, and each is checked against the other filters until limit rows match.
func buildList(kind listKind, f Filter, cursor int64, limit int) (string, []any) {
	var b strings.Builder
	var args []any
	match := matchExpr(f.Search)
	p := "" // column prefix
	if match != "" {
		p = "m."
	}
	switch {
	case kind == kindCountNewer && match == "":
		b.WriteString("SELECT count(*) FROM messages WHERE ")
	case kind == kindCountNewer:
		b.WriteString("SELECT count(*) FROM ")
	default:
		b.WriteString("SELECT ")
		if match != "" {
			b.WriteString(mColumns)
		} else {
			b.WriteString(columns)
		}
		b.WriteString(" FROM ")
		if match == "" {
			b.WriteString("messages WHERE ")
		}
	}
	idCol := "id"
	if match != "" {
		b.WriteString("messages_fts AS f CROSS JOIN messages AS m ON m.id = f.docid WHERE messages_fts MATCH ? AND ")
		args = append(args, match)
		idCol = "f.docid"
	}
	if kind == kindOlder {
		b.WriteString(idCol + " < ?")
	} else {
		b.WriteString(idCol + " > ?")
	}
	args = append(args, cursor)
	if f.App != "" {
		b.WriteString(" AND " + p + "app = ?")
		args = append(args, f.App)
	}
	if f.MinPriority != nil {
		b.WriteString(" AND " + p + "priority >= ?")
		args = append(args, *f.MinPriority)
	}
	if f.Unread {
		b.WriteString(" AND " + p + "read = 0")
	}
	if f.Unacked {
		// Written exactly as the partial index messages_unacked so that
		// SQLite can use it.
		b.WriteString(" AND " + p + "priority = 2 AND " + p + "acked = 0 AND " + p + "receipt <> ''")
	}
	switch kind {
	case kindOlder:
		b.WriteString(" ORDER BY " + idCol + " DESC LIMIT ?")
		args = append(args, limit)
	case kindNewer:
		b.WriteString(" ORDER BY " + idCol + " ASC LIMIT ?")
		args = append(args, limit)
	}
	return b.String(), args
}

// mColumns is columns qualified for the search join.
var mColumns = prefixed("m.")

// prefixed returns columns with each name qualified by p.
func prefixed(p string) string {
	names := strings.Split(columns, ",")
	for i, n := range names {
		names[i] = p + strings.TrimSpace(n)
	}
	return strings.Join(names, ", ")
}
