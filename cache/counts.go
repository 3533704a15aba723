package cache

import "context"

// Counts are the figures of the status bar. Ingest and triggers keep them
// per app in a table, so reading them costs the same at 100 messages as at
// 100,000.
type Counts struct {
	Total   int // messages stored
	Unread  int // not yet read
	Unacked int // emergencies not yet acknowledged (AckPending included)
	// AckPending is the part of Unacked whose acknowledgement waits in the
	// outbox: an emergency the user has dealt with, not yet confirmed by
	// the server. Unacked-AckPending is what still needs the user.
	AckPending int
	Apps       []AppCount // per app, by name
}

// AppCount holds the counts of one app name.
type AppCount struct {
	App        string
	Total      int
	Unread     int
	Unacked    int
	AckPending int
}

// Counts returns the totals and the per-app counts.
func (db *DB) Counts(ctx context.Context) (Counts, error) {
	if db.isClosed() {
		return Counts{}, ErrClosed
	}
	rows, err := db.stmts.counts.QueryContext(ctx)
	if err != nil {
		return Counts{}, db.wrapErr("count messages", err)
	}
	defer rows.Close()
	var c Counts
	for rows.Next() {
		var a AppCount
		if err := rows.Scan(&a.App, &a.Total, &a.Unread, &a.Unacked, &a.AckPending); err != nil {
			return Counts{}, db.wrapErr("count messages", err)
		}
		c.Total += a.Total
		c.Unread += a.Unread
		c.Unacked += a.Unacked
		c.AckPending += a.AckPending
		c.Apps = append(c.Apps, a)
	}
	if err := rows.Err(); err != nil {
		return Counts{}, db.wrapErr("count messages", err)
	}
	return c, nil
}
