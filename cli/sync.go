package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"
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
