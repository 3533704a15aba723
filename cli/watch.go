package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"pobox/cache"
	inboxsync "pobox/sync"
)

func newWatchCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "print new messages as they arrive (--exec CMD for each)",
		Long: "Print each new message as it is stored, one JSON object a line (the fields\n" +
			"of pobox list --json), until interrupted; the filters are those of list.\n" +
			"With --exec, run CMD with sh -c for each instead, one at a time in arrival\n" +
			"order: the message as JSON on its standard input, and POBOX_ID, POBOX_APP,\n" +
			"POBOX_TITLE, POBOX_PRIORITY, POBOX_URL and POBOX_RECEIPT in its environment\n" +
			"(one line each, control characters removed). A CMD that fails or outlives\n" +
			"--exec-timeout is logged and the watch goes on. Holds the websocket like\n" +
			"pobox daemon, or follows the pobox that holds it.",
		Example: `  pobox watch --priority 1 --exec 'jq -r .title | espeak'`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError("watch takes no arguments (quote the --exec command)")
			}
			return nil
		},
	}
	ff := addFilterFlags(a, cmd)
	f := cmd.Flags()
	command := f.StringP("exec", "x", "", "run `CMD` (with sh -c) for each new message")
	timeout := f.Duration("exec-timeout", defaultHookTimeout, "kill a --exec command still running after this `duration`")
	backlog := f.Bool("backlog", false, "also report what waited on Pushover before the first login")
	_ = cmd.RegisterFlagCompletionFunc("exec", cobra.NoFileCompletions)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if *timeout <= 0 {
			return usageError("--exec-timeout must be positive, e.g. 30s")
		}
		mf, err := ff.build(time.Now())
		if err != nil {
			return err
		}
		cfg, err := parseConfig(a, cmd)
		if err != nil {
			return err
		}
		return runWatch(cmd.Context(), a, cfg, mf, watchOpts{command: *command, timeout: *timeout, backlog: *backlog})
	}
	return cmd
}

type watchOpts struct {
	command string
	timeout time.Duration
	backlog bool
}

// runWatch watches until ctx ends or the session ends; when `pobox login`
// replaces the login, it starts again on the new one, after the last
// message the old engine announced, so that nothing is missed or doubled.
func runWatch(ctx context.Context, a *app, cfg *config, mf messageFilter, o watchOpts) error {
	after := int64(-1) // none yet: news is what is stored from the first start on
	for {
		err := watchRun(ctx, a, cfg, mf, o, &after)
		var end *endedError
		if !errors.As(err, &end) || end.reason != inboxsync.EndReplaced {
			return err
		}
	}
}

// watchRun runs one engine for runWatch; *after is the last key announced
// (-1 before the first run).
func watchRun(ctx context.Context, a *app, cfg *config, mf messageFilter, o watchOpts, after *int64) error {
	st, err := openStack(ctx, cfg, slog.LevelInfo)
	if err != nil {
		return err
	}
	defer st.close()
	log, db, en := st.log, st.db, st.en
	if *after < 0 {
		if *after, err = db.NewestKey(ctx); err != nil {
			return err
		}
	}
	en.AnnounceAfter(*after)

	var runner *hookRunner
	if o.command != "" {
		h := &hook{Name: "watch --exec", Command: o.command, Timeout: o.timeout, Stdout: a.stdout, Stderr: a.stderr}
		runner = newHookRunner(log, nil, []*hook{h})
		runner.warn = func(_ *hook, m cache.Message, err error) {
			fmt.Fprintf(a.stderr, "pobox watch: --exec for message #%d: %v\n", m.ID, err)
		}
		runner.Start(ctx)
		defer runner.Close() // before the stack: it may still read the cache
	}
	st.start(ctx)
	return streamWatch(ctx, a.stdout, log, db, en.Events(), mf, runner, o.backlog, after)
}

// streamWatch prints each new message matching mf as a JSON line to w
// (or, with a runner, hands them to it) as events arrive, until ctx ends
// or events closes. log receives the events (logEvent); after, when not
// nil, is set to the last key announced.
func streamWatch(ctx context.Context, w io.Writer, log *slog.Logger, db *cache.DB, events <-chan inboxsync.Event,
	mf messageFilter, runner *hookRunner, backlog bool, after *int64) error {
	enc := json.NewEncoder(w)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				return nil
			}
			logEvent(log, ev)
			switch ev := ev.(type) {
			case inboxsync.SessionEnded:
				return sessionEnded(ev)
			case inboxsync.Synced:
				if after != nil && len(ev.New) > 0 {
					*after = ev.New[len(ev.New)-1]
				}
				if ev.Backlog && !backlog {
					continue
				}
				var batch []cache.Message
				for _, key := range ev.New {
					m, err := db.Get(ctx, key)
					if errors.Is(err, cache.ErrNotFound) {
						continue // deleted meanwhile
					}
					if err != nil {
						return err
					}
					if ok, err := mf.matches(ctx, db, m); err != nil {
						return err
					} else if !ok {
						continue
					}
					if runner == nil {
						if err := enc.Encode(m); err != nil {
							return err // the reader went away
						}
						continue
					}
					batch = append(batch, m)
				}
				if runner != nil {
					runner.Announce(ctx, batch)
				}
			}
		}
	}
}
