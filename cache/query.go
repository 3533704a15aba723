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
	// MinPriority, when not nil, keeps messages with priority >= *MinPriority
	// (priorities run from -2 to 2, so -2 keeps all and 3 none).
	MinPriority *int
	// Unread keeps messages not yet read.
	Unread bool
	// Unacked keeps emergencies nobody has acknowledged yet (priority 2 with
	// a receipt and acked=0), including those whose acknowledgement waits
	// in the outbox.
	Unacked bool
	// Search keeps messages whose title, message, app or url_title contain
	// every word of Search as a word prefix, ignoring case and diacritics
	// ("cafe" finds "Café", "backu" finds "backups"); a one-letter word
	// must match a whole word. Any text is accepted: quotes, '*', '-', AND,
	// NEAR and the like are plain text. Text without any letter or digit
	// does not filter.
	Search string
}

// AtLeast returns a pointer to p, for Filter.MinPriority.
func AtLeast(p int) *int { return &p }

// Older returns up to limit messages older than the message with key before
// (every message when before is 0), newest first: the next screen down.
// Older(ctx, f, 0, n) is the first screen.
func (db *DB) Older(ctx context.Context, f Filter, before int64, limit int) ([]Message, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	return db.list(ctx, kindOlder, f, before, limit)
}

// Newer returns up to limit messages newer than the message with key after,
// those nearest to it, newest first: the next screen up. Newer(ctx, f, 0, n)
// is the last screen (the oldest messages).
func (db *DB) Newer(ctx context.Context, f Filter, after int64, limit int) ([]Message, error) {
	ms, err := db.list(ctx, kindNewer, f, after, limit)
	slices.Reverse(ms) // read oldest first from the cursor; shown newest first
	return ms, err
}

// CountNewer returns how many messages matching f are newer than the one with
// key: its position in the list counted from the top (0 for the newest). Its
// cost grows with that number: at 100,000 messages about 3 ms for a
// position 90,000 rows down unfiltered, up to 20 ms with a search for a
// common word. Call it for a position indicator, not on every key press.
func (db *DB) CountNewer(ctx context.Context, f Filter, key int64) (int, error) {
	q, args := buildList(kindCountNewer, f, key, 0)
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

// Get returns the message with key, or an error wrapping ErrNotFound.
func (db *DB) Get(ctx context.Context, key int64) (Message, error) {
	if db.isClosed() {
		return Message{}, ErrClosed
	}
	m, err := scanMessage(db.stmts.get.QueryRowContext(ctx, key))
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, fmt.Errorf("cache: message %d: %w", key, ErrNotFound)
	}
	if err != nil {
		return Message{}, db.wrapErr("read message", err)
	}
	m.DeviceName = db.deviceName(ctx, m.Device)
	return m, nil
}

// Find returns the message of device dev with Pushover id id, or an error
// wrapping ErrNotFound.
func (db *DB) Find(ctx context.Context, dev, id int64) (Message, error) {
	if db.isClosed() {
		return Message{}, ErrClosed
	}
	m, err := scanMessage(db.read.QueryRowContext(ctx, `SELECT `+columns+` FROM messages WHERE device = ? AND id = ?`, dev, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, fmt.Errorf("cache: message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Message{}, db.wrapErr("read message", err)
	}
	m.DeviceName = db.deviceName(ctx, m.Device)
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
	db.nameDevices(ctx, ms)
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
	kindOlder      listKind = iota // key < cursor, newest first
	kindNewer                      // key > cursor, oldest first (reversed by Newer)
	kindCountNewer                 // count of key > cursor
)

// buildList returns the SQL and arguments of a keyset read. The SQL depends
// only on kind, on which filters are set and on the minimum priority (a
// constant, -2..2, so that SQLite can pick an index for it), never on other
// values, so each shape is prepared once.
//
// The scan order is chosen here, not left to SQLite, which has no
// statistics to tell a filter that matches 5 rows from one that matches
// 90,000. A keyset page walks an index in key order from the cursor until
// limit rows pass every filter, so the walk should be the index of the
// most selective filter:
//
//   - Search: the full-text index, newest first (CROSS JOIN fixes it as the
//     outer loop; the other filters are checked per row);
//   - Unacked: the partial index of unacknowledged emergencies (a handful);
//   - Unread (and App): the partial indexes of unread rows;
//   - App: the (app, key) index;
//   - minimum priority 2: the (priority, key) index;
//   - otherwise the table itself in key order.
func buildList(kind listKind, f Filter, cursor int64, limit int) (string, []any) {
	var (
		where []string
		args  []any
		from  string
		id    = "key"
		cols  = columns
	)
	match := matchExpr(f.Search)
	switch {
	case match != "":
		from = "messages_fts AS f CROSS JOIN messages AS m ON m.key = f.docid"
		where = append(where, "messages_fts MATCH ?")
		args = append(args, match)
		id, cols = "f.docid", mColumns
	case f.Unacked:
		from = "messages INDEXED BY messages_unacked"
	case f.Unread && f.App != "":
		from = "messages INDEXED BY messages_app_unread"
	case f.Unread:
		from = "messages INDEXED BY messages_unread"
	case f.App != "":
		from = "messages INDEXED BY messages_app"
	case f.MinPriority != nil && *f.MinPriority == 2:
		from = "messages INDEXED BY messages_priority"
	case kind == kindCountNewer && (f.MinPriority == nil || *f.MinPriority <= -2):
		// Counting needs no row, only keys: seek each app's slice of the
		// thin (app, key) index instead of reading every row (about ten
		// times faster). app_counts lists every app with a stored message.
		from = "messages INDEXED BY messages_app"
		where = append(where, "app IN (SELECT app FROM app_counts)")
	default:
		from = "messages NOT INDEXED" // the rowid order is the key order
	}
	col := func(name string) string {
		if id == "f.docid" {
			return "m." + name
		}
		return name
	}

	if kind == kindOlder {
		where = append(where, id+" < ?")
	} else {
		where = append(where, id+" > ?")
	}
	args = append(args, cursor)
	if f.App != "" {
		where = append(where, col("app")+" = ?")
		args = append(args, f.App)
	}
	if p := f.MinPriority; p != nil && *p > -2 {
		if *p == 2 {
			where = append(where, col("priority")+" = 2")
		} else {
			where = append(where, fmt.Sprintf("%s >= %d", col("priority"), min(*p, 3)))
		}
	}
	if f.Unread {
		where = append(where, col("read")+" = 0")
	}
	if f.Unacked {
		// Exactly the WHERE of the partial index messages_unacked.
		where = append(where, col("priority")+" = 2", col("acked")+" = 0", col("receipt")+" <> ''")
	}

	var b strings.Builder
	if kind == kindCountNewer {
		b.WriteString("SELECT count(*)")
	} else {
		b.WriteString("SELECT " + cols)
	}
	b.WriteString(" FROM " + from + " WHERE " + strings.Join(where, " AND "))
	switch kind {
	case kindOlder:
		b.WriteString(" ORDER BY " + id + " DESC LIMIT ?")
		args = append(args, limit)
	case kindNewer:
		b.WriteString(" ORDER BY " + id + " ASC LIMIT ?")
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
