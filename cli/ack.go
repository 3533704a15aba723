package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	inboxsync "pobox/sync"
)

func runAck(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "ack",
		"ack RECEIPT... | ack --all\n\n"+
			"Acknowledge emergencies (priority 2), which stops their repeats for\n"+
			"everyone. If Pushover cannot be reached the acknowledgement is queued and\n"+
			"sent by the next pobox that connects (the exit status is then 1).",
		"pobox list --json --unacked | jq -r .receipt | xargs pobox ack")
	all := fs.Bool("all", false, "acknowledge every emergency in the cache not yet acknowledged")
	cfg, err := parseConfig(a, fs, args)
	if err != nil {
		return err
	}
	if *all == (fs.NArg() > 0) {
		return usageError("give receipts, or --all")
	}
	return withActions(ctx, cfg, a, func(en *inboxsync.Engine) error {
		if *all {
			n, err := en.AcknowledgeAll(ctx)
			if err == nil && n == 0 {
				fmt.Fprintln(a.stdout, "No emergency waits for acknowledgement.")
			}
			return err
		}
		for _, r := range fs.Args() {
			if err := en.Acknowledge(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// withActions queues actions through the sync engine (so that they change
// the cache at once and survive a failure to reach Pushover), then
// performs every queued action and reports each result.
func withActions(ctx context.Context, cfg *config, a *app, queue func(*inboxsync.Engine) error) error {
	st, err := openStack(ctx, cfg, slog.LevelInfo)
	if err != nil {
		return err
	}
	defer st.close()
	if err := queue(st.en); err != nil {
		return err
	}
	return reportActions(a.stdout, st.en.Flush(ctx))
}

// reportActions prints what became of each action and fails if any did
// not reach Pushover.
func reportActions(w io.Writer, evs []inboxsync.Event) error {
	var failed error
	for _, ev := range evs {
		switch ev := ev.(type) {
		case inboxsync.ActionDone:
			fmt.Fprintf(w, "%s: done on Pushover\n", describeAction(ev.Action))
		case inboxsync.ActionFailed:
			err := fmt.Errorf("%s: %w", describeAction(ev.Action), ev.Err)
			if ev.Queued {
				err = fmt.Errorf("%w (queued: the next pobox that connects sends it)", err)
			}
			failed = errors.Join(failed, err)
		}
	}
	return failed
}

func describeAction(act inboxsync.Action) string {
	if act.Kind == inboxsync.ActionAck {
		return "acknowledge " + act.Receipt
	}
	return fmt.Sprintf("delete up to #%d", act.UpTo)
}
