package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"pobox/cache"
	"pobox/sanitize"
)

func runList(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "list",
		"list [--json] [--limit N] [--app NAME] [--priority N] [--search TEXT] [--unread] [--unacked]\n\n"+
			"Print the cached messages, newest first: a table sized to the terminal, or\n"+
			"with --json one JSON object a line (every Pushover field, ids exact, plus\n"+
			"read, ack_pending and stored_at). Works while another pobox is running.",
		`pobox list --json --unread --limit 10 | jq -r .title`)
	asJSON := fs.Bool("json", false, "one JSON object a line instead of a table")
	limit := fs.Int("limit", 50, "print at most `N` messages (0: all)")
	appName := fs.String("app", "", "only messages from the app with this `NAME`")
	minPrio := fs.String("priority", "", "only messages with priority `N` (-2..2) or higher")
	search := fs.String("search", "", "only messages containing every word of `TEXT` (prefixes match)")
	unread := fs.Bool("unread", false, "only unread messages")
	unacked := fs.Bool("unacked", false, "only emergencies not yet acknowledged")
	cfg, err := parseConfig(a, fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("list takes no arguments (did you mean --search %q?)", strings.Join(fs.Args(), " "))
	}
	if *limit < 0 {
		return usageError("--limit must be 0 (all) or more")
	}
	f := cache.Filter{App: *appName, Search: *search, Unread: *unread, Unacked: *unacked}
	if *minPrio != "" {
		p, err := strconv.Atoi(*minPrio)
		if err != nil || p < -2 || p > 2 {
			return usageError("--priority must be a number from -2 to 2, not %q", *minPrio)
		}
		f.MinPriority = cache.AtLeast(p)
	}

	db, err := openCache(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	out := bufio.NewWriter(a.stdout)
	var tbl *table
	if !*asJSON {
		tbl = newTable(out, terminalWidth(a.stdout), time.Now())
	}
	enc := json.NewEncoder(out)
	n := 0
	err = eachMessage(ctx, db, f, *limit, func(m cache.Message) error {
		n++
		if tbl != nil {
			tbl.row(m)
			return nil
		}
		return enc.Encode(m)
	})
	if err == nil && tbl != nil && n == 0 {
		fmt.Fprintln(out, "No messages.")
	}
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	return err
}

// eachMessage calls fn for up to limit messages (0: all) matching f,
// newest first, reading a page at a time.
func eachMessage(ctx context.Context, db *cache.DB, f cache.Filter, limit int, fn func(cache.Message) error) error {
	var before int64
	for left := limit; limit == 0 || left > 0; {
		page := cache.MaxLimit
		if limit > 0 {
			page = min(page, left)
		}
		ms, err := db.Older(ctx, f, before, page)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := fn(m); err != nil {
				return err
			}
		}
		if len(ms) < page {
			return nil
		}
		before = ms[len(ms)-1].ID
		left -= len(ms)
	}
	return nil
}

// terminalWidth is the width of w when it is a terminal, else $COLUMNS,
// else 120.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 0 {
		return c
	}
	return 120
}

// table prints messages one a line, every cell sanitised and cut to fit.
type table struct {
	w       io.Writer
	width   int
	now     time.Time
	idWidth int // 0 until the header is printed
}

const (
	dateWidth = 12 // "Jan 02 15:04"
	prioWidth = 3  // "2!" and the like
	appWidth  = 14
)

func newTable(w io.Writer, width int, now time.Time) *table {
	return &table{w: w, width: max(width, 60), now: now}
}

func (t *table) row(m cache.Message) {
	if t.idWidth == 0 {
		// Newest first: the first id is the widest.
		t.idWidth = max(2, len(strconv.FormatInt(m.ID, 10)))
		fmt.Fprintf(t.w, "  %-*s %-*s %-*s %-*s %s\n", t.idWidth, "ID", dateWidth, "DATE", prioWidth, "PRI", appWidth, "APP", "TITLE: MESSAGE")
	}
	mark := " "
	if !m.Read {
		mark = "*"
	}
	text := sanitize.Line(m.Title)
	if body := sanitize.Line(m.Message); body != "" && body != text {
		if m.HTML {
			body = sanitize.Line(sanitize.PlainText(sanitize.HTML(m.Message)))
		}
		text += ": " + body
	}
	rest := t.width - (2 + t.idWidth + 1 + dateWidth + 1 + prioWidth + 1 + appWidth + 1)
	fmt.Fprintf(t.w, "%s %-*d %-*s %-*s %s %s\n", mark, t.idWidth, m.ID, dateWidth, shortDate(m.Time(), t.now),
		prioWidth, priorityMark(m), pad(sanitize.Truncate(m.App, appWidth, "…"), appWidth),
		sanitize.Truncate(text, max(rest, 10), "…"))
}

// pad fills s with spaces to width cells (fmt pads by runes, not cells).
func pad(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-sanitize.Width(s)))
}

// priorityMark is the priority, with "!" on an emergency that still needs
// acknowledging and "+" on one that was acknowledged.
func priorityMark(m cache.Message) string {
	switch {
	case m.NeedsAck():
		return "2!"
	case m.IsEmergency():
		return "2+"
	}
	return strconv.Itoa(m.Priority)
}

// shortDate is the time of day for today, the day and time this year, and
// the date before.
func shortDate(t, now time.Time) string {
	t = t.Local()
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("Jan 02 15:04")
	}
	return t.Format("2006-01-02")
}
