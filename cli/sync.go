package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	inboxsync "pobox/sync"
)

func newSyncCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "sync",
		Short: "download the waiting messages now, then exit",
		Long: "Download the messages waiting on Pushover into the cache now, then delete\n" +
			"them on Pushover (unless server_delete = \"manual\"), and exit.",
		Example: "  pobox sync && pobox list --unread",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := parseConfig(a, cmd)
			if err != nil {
				return err
			}
			return runSync(cmd.Context(), a, cfg)
		},
	}
}

func runSync(ctx context.Context, a *app, cfg *config) error {
	st, err := openStack(ctx, cfg, slog.LevelInfo)
	if err != nil {
		return err
	}
	defer st.close()

	// Safe while another pobox holds the websocket: a download twice is
	// stored once.
	var progress func(inboxsync.Progress)
	p := newProgressLine(a.stderr)
	if p != nil {
		progress = p.show
	}
	ev, err := st.en.SyncProgress(ctx, progress)
	p.done()
	if !ev.At.IsZero() {
		fmt.Fprintf(a.stdout, "%s stored in %s\n", plural(len(ev.New), "new message"), cfg.CachePath)
	}
	return err
}

// progressLine shows a long download on a terminal: one line, rewritten
// at most every progressEvery.
type progressLine struct {
	w     io.Writer
	last  time.Time
	shown bool
}

const progressEvery = 250 * time.Millisecond

// newProgressLine returns a progress line on w, or nil when w is not a
// terminal (a script reading the output wants no carriage returns).
func newProgressLine(w io.Writer) *progressLine {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressLine{w: w}
}

func (p *progressLine) show(pr inboxsync.Progress) {
	if now := time.Now(); now.Sub(p.last) >= progressEvery {
		p.last = now
		p.shown = true
		fmt.Fprintf(p.w, "\r\x1b[Kdownloading: %d received, %d new stored, %.0f messages/s",
			pr.Downloaded, pr.Stored, float64(pr.Downloaded)/max(pr.Elapsed.Seconds(), 0.001))
	}
}

// done ends the progress line so that what follows starts on its own.
func (p *progressLine) done() {
	if p != nil && p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// plural returns "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
