package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/spf13/cobra"

	"pobox/sanitize"
	inboxsync "pobox/sync"
)

func newAckCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ack RECEIPT... | ack --all",
		Short: "acknowledge emergencies (--all: every one waiting)",
		Long: "Acknowledge emergencies (priority 2), which stops their repeats for\n" +
			"everyone. The exit status is 0 when Pushover confirmed every one, 4 when\n" +
			"it refused one (an unknown or expired receipt), and 5 when Pushover could\n" +
			"not be reached: the acknowledgement is then queued and sent by the next\n" +
			"pobox that connects.",
		Example:           "  pobox list --json --unacked | jq -r .receipt | xargs pobox ack",
		ValidArgsFunction: completeReceipts(a),
	}
	all := cmd.Flags().BoolP("all", "a", false, "acknowledge every emergency in the cache not yet acknowledged")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if *all == (len(args) > 0) {
			return usageError("give receipts, or --all")
		}
		cfg, err := parseConfig(a, cmd)
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		return withActions(ctx, cfg, a, func(en *inboxsync.Engine) error {
			if *all {
				n, err := en.AcknowledgeAll(ctx)
				if err == nil && n == 0 {
					fmt.Fprintln(a.stdout, "No emergency waits for acknowledgement.")
				}
				return err
			}
			for _, r := range args {
				if err := en.Acknowledge(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return cmd
}

// withActions queues actions through the sync engine (so that they change
// the cache at once and survive a failure to reach Pushover), then
// performs every queued action and reports each result.
func withActions(ctx context.Context, cfg *config, a *app, queue func(*inboxsync.Engine) error) error {
	st, err := openStackRetry(ctx, cfg, slog.LevelInfo, onceNow)
	if err != nil {
		return err
	}
	defer st.close()
	if err := queue(st.en); err != nil {
		return err
	}
	return reportActions(a.stdout, st.en.Flush(ctx))
}

// reportActions prints what became of each action. It returns nil when
// Pushover carried out every one, the refusals (exit status 4) when it
// refused any, else a queuedError (exit status 5) when any waits in the
// outbox.
func reportActions(w io.Writer, evs []inboxsync.Event) error {
	var refused, queued error
	for _, ev := range evs {
		switch ev := ev.(type) {
		case inboxsync.ActionDone:
			fmt.Fprintf(w, "%s: done on Pushover\n", describeAction(ev.Action))
		case inboxsync.ActionFailed:
			err := fmt.Errorf("%s: %w", describeAction(ev.Action), ev.Err)
			if ev.Queued {
				queued = errors.Join(queued, fmt.Errorf("%w (queued: the next pobox that connects sends it)", err))
			} else {
				refused = errors.Join(refused, err)
			}
		}
	}
	switch {
	case refused != nil:
		return errors.Join(refused, queued)
	case queued != nil:
		return &queuedError{queued}
	}
	return nil
}

func describeAction(act inboxsync.Action) string {
	if act.Kind == inboxsync.ActionAck {
		return "acknowledge " + sanitize.Line(act.Receipt) // --all reads it from the cache: the server's
	}
	return fmt.Sprintf("delete up to #%d", act.UpTo)
}
