// Package cache is pobox's local message store: one SQLite file holding every
// Pushover message the device has downloaded, its local state (read, acked,
// an acknowledgement waiting for the server), a full-text index, an outbox of
// actions for the server and a little key/value state.
//
// Everything else in pobox reads and writes messages through this package:
// the sync engine calls [DB.Ingest] with each downloaded batch and drains the
// outbox; the UI reads one screen at a time with [DB.Older] and [DB.Newer],
// shows [DB.Counts] in its status bar and polls [DB.Changed] to notice other
// pobox processes writing to the same file.
//
// # Ordering and cursors
//
// Pushover's message id increases with every message a device receives, so
// "newest first" is id order and a cursor is just an id. Every list read is
// keyset-paginated (WHERE id < cursor ORDER BY id DESC LIMIT n): the cost of
// a page does not depend on how deep it is. Nothing uses OFFSET.
//
// # Full-text search: FTS4, not FTS5
//
// The search index is an FTS4 table. mattn/go-sqlite3 compiles FTS4 into
// every build, while FTS5 needs the build tag sqlite_fts5 on every go build,
// go test and go run; a forgotten tag builds fine and then fails at run time
// with "no such module: fts5". FTS4 with the unicode61 tokenizer
// (remove_diacritics=2) gives case- and diacritic-insensitive matching and
// prefix queries, which is all pobox needs, and it meets the speed budget
// (see the benchmarks). User text never reaches MATCH raw: see [Filter.Search].
//
// # Deleting locally
//
// A message deleted locally is removed from the database (its text does not
// linger on disk) and leaves a tombstone: its id, or for delete-up-to a
// watermark. Ingest consults both, so a message the server sends again stays
// deleted. List reads therefore never return deleted messages, and Message
// carries no "deleted" field.
//
// # Emergency repeats
//
// Pushover repeats an unacknowledged emergency (priority 2) until someone
// acknowledges it, and it is not documented whether an Open Client sees each
// repeat as a new id with the same receipt. The cache keeps one message per
// receipt, the newest copy: a newer copy replaces the older ones (keeping their
// read, acked and ack-pending state), an older copy arriving later is dropped
// except that its acked=1 is applied to the kept copy. A copy older than a
// locally deleted copy of the same receipt stays deleted; a newer one (a
// fresh repeat of a still unacknowledged emergency) is stored, because the
// emergency still wants attention.
//
// # Processes and goroutines
//
// A DB is safe for concurrent use. Writes go through one connection and
// start with BEGIN IMMEDIATE, so writers queue instead of failing half-way;
// reads use a small pool of query-only connections and, thanks to WAL, never
// wait for a writer. Several processes may open the same file: the busy
// timeout makes a writer wait for another process's transaction.
package cache
