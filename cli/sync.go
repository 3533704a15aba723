package main

import (
	"context"
	"fmt"
	"log/slog"
)

func runSync(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "sync",
		"sync\n\n"+
			"Download the messages waiting on Pushover into the cache now, then delete\n"+
			"them on Pushover (unless server_delete = \"manual\"), and exit.",
		"pobox sync && pobox list --unread")
	cfg, err := parseConfig(a, fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("sync takes no arguments")
	}
	st, err := openStack(ctx, cfg, slog.LevelInfo)
	if err != nil {
		return err
	}
	defer st.close()

	// Safe while another pobox holds the websocket: a download twice is
	// stored once.
	ev, err := st.en.SyncOnce(ctx)
	if !ev.At.IsZero() {
		fmt.Fprintf(a.stdout, "%s stored in %s\n", plural(len(ev.New), "new message"), cfg.CachePath)
	}
	return err
}

// plural returns "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
