package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rivo/uniseg"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"pobox/cache"
	"pobox/sanitize"
)

func newListCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "list",
		Short: "print the cached messages (--json for scripts)",
		Long: "Print the cached messages, newest first: every one that matches, unless\n" +
			"--limit. As a table (every cell sanitised; as wide as the terminal, or\n" +
			"$COLUMNS, and not cut at all when standard output is not a terminal), or\n" +
			"with --json one JSON object a line (every Pushover field, ids exact, plus\n" +
			"id_str, read, ack_pending and stored_at). Works while another pobox runs.",
		Example: `  pobox list --json --unread --since 2h | jq -r .title`,
	}
	ff := addFilterFlags(a, cmd)
	asJSON := cmd.Flags().BoolP("json", "j", false, "one JSON object a line instead of a table")
	limit := cmd.Flags().IntP("limit", "n", 0, "print at most `N` messages (0: all)")
	cmd.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError("list takes no arguments (did you mean --search %q?)", strings.Join(args, " "))
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if *limit < 0 {
			return usageError("--limit must be 0 (all) or more")
		}
		mf, err := ff.build(time.Now())
		if err != nil {
			return err
		}
		cfg, err := parseConfig(a, cmd)
		if err != nil {
			return err
		}
		return runList(cmd.Context(), a, cfg, mf, *asJSON, *limit)
	}
	return cmd
}

func runList(ctx context.Context, a *app, cfg *config, mf messageFilter, asJSON bool, limit int) error {
	if _, err := os.Stat(cfg.CachePath); errors.Is(err, os.ErrNotExist) {
		// Nothing cached yet: nothing to print, and no cache to create.
		if !asJSON {
			fmt.Fprintln(a.stdout, "No messages.")
		}
		return nil
	}
	// Cells as the terminal in front counts them (per code point inside
	// tmux and screen), or the table is wider than it.
	sanitize.SetWidthMode(cfg.Width)
	db, err := openCache(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	return printList(ctx, a.stdout, terminalWidth(a.stdout), db, listDevice(ctx, cfg, db), mf, asJSON, limit)
}

// listDevice is the cache's number of the current login's device, or 0
// when there is none: the table marks the rows of other devices.
func listDevice(ctx context.Context, cfg *config, db *cache.DB) int64 {
	if dev, err := currentDevice(ctx, cfg, db); err == nil {
		return dev.N
	}
	return 0
}

// printList prints the messages of db matching mf to w: a table width
// cells wide (0: no limit), its rows of devices other than device
// marked, or JSON lines.
func printList(ctx context.Context, w io.Writer, width int, db *cache.DB, device int64, mf messageFilter, asJSON bool, limit int) error {
	out := bufio.NewWriterSize(w, 64<<10)
	var tbl *table
	if !asJSON {
		tbl = newTable(out, width, time.Now())
		// Ids count per device: rows of an earlier login's device say so,
		// and the newest row's id need not be the widest.
		tbl.device = device
		tbl.idWidth = widestID(ctx, db)
	}
	enc := json.NewEncoder(out)
	n := 0
	err := eachMessage(ctx, db, mf, limit, func(m cache.Message) error {
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

// widestID is the number of digits of the highest id any device of db
// committed (0 when it cannot tell).
func widestID(ctx context.Context, db *cache.DB) int {
	devs, err := db.Devices(ctx)
	if err != nil {
		return 0
	}
	w := 0
	for _, d := range devs {
		w = max(w, len(strconv.FormatInt(d.HighestSeen, 10)))
	}
	return w
}

// terminalWidth is the width of w when it is a terminal, else $COLUMNS,
// else 0: no limit, so that a pipe to grep sees every word.
func terminalWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 0 {
		return c
	}
	return 0
}

// table prints messages one a line, every cell sanitised and cut to fit.
type table struct {
	w       io.Writer
	width   int
	now     time.Time
	idWidth int   // cells of the id column; 0: the first row's id's
	header  bool  // printed
	device  int64 // the current login's device; others' rows name theirs
}

const (
	dateWidth = 12 // "Jan 02 15:04"
	prioWidth = 3  // "2!" and the like
	appWidth  = 14
)

// newTable returns a table as wide as width cells; 0 means no limit.
func newTable(w io.Writer, width int, now time.Time) *table {
	return &table{w: w, width: width, now: now}
}

func (t *table) row(m cache.Message) {
	if !t.header {
		t.header = true
		t.idWidth = max(2, t.idWidth, len(strconv.FormatInt(m.ID, 10)))
		t.line(fmt.Sprintf("  %-*s %-*s %-*s %-*s ", t.idWidth, "ID", dateWidth, "DATE", prioWidth, "PRI", appWidth, "APP"), "TITLE: MESSAGE")
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
	if t.device != 0 && m.Device != t.device {
		name := sanitize.Line(m.DeviceName)
		if name == "" {
			name = "earlier device"
		}
		text = "[" + name + "] " + text
	}
	t.line(fmt.Sprintf("%s %-*d %-*s %-*s %s ", mark, t.idWidth, m.ID, dateWidth, shortDate(m.Time(), t.now),
		prioWidth, priorityMark(m), pad(sanitize.Truncate(sanitize.Line(m.App), appWidth, "…"), appWidth)), text)
}

// line prints one line of the table, the fixed columns and the text, cut
// to the table's width. Both parts are clean already (sanitize.Line).
func (t *table) line(fixed, text string) {
	if t.width <= 0 {
		fmt.Fprintln(t.w, fixed+text)
		return
	}
	if rest := t.width - sanitize.Width(fixed); rest > 0 {
		fmt.Fprintln(t.w, fixed+sanitize.Truncate(text, rest, "…"))
		return
	}
	// Narrower than the fixed columns: cut them, a grapheme at a time.
	var b strings.Builder
	w := 0
	for g := uniseg.NewGraphemes(fixed); g.Next(); {
		if w += sanitize.Width(g.Str()); w > t.width {
			break
		}
		b.WriteString(g.Str())
	}
	fmt.Fprintln(t.w, b.String())
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
