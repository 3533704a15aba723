package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"

	"pobox/cache"
	inboxsync "pobox/sync"
)

func runWatch(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "watch",
		"watch [--exec CMD] [--backlog]\n\n"+
			"Print each new message as it is stored, one JSON object a line (the fields\n"+
			"of pobox list --json), until interrupted. With --exec, run CMD with sh for\n"+
			"each instead, the message as JSON on its standard input and POBOX_ID,\n"+
			"POBOX_PRIORITY and POBOX_RECEIPT in its environment. Holds the websocket\n"+
			"like pobox daemon, or follows the pobox that holds it.",
		`pobox watch --exec 'jq -r .title | espeak'`)
	hook := fs.String("exec", "", "run `CMD` (with sh -c) for each new message")
	backlog := fs.Bool("backlog", false, "also report what waited on Pushover before the first login")
	cfg, err := parseConfig(a, fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("watch takes no arguments (quote the --exec command)")
	}
	st, err := openStack(ctx, cfg, slog.LevelInfo)
	if err != nil {
		return err
	}
	defer st.close()
	log, db, en := st.log, st.db, st.en
	en.Start(ctx)

	enc := json.NewEncoder(a.stdout)
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-en.Events():
			if !ok {
				return nil
			}
			logEvent(log, ev)
			switch ev := ev.(type) {
			case inboxsync.SessionEnded:
				return errors.New(ev.Text)
			case inboxsync.Synced:
				if ev.Backlog && !*backlog {
					continue
				}
				for _, id := range ev.New {
					m, err := db.Get(ctx, id)
					if errors.Is(err, cache.ErrNotFound) {
						continue // deleted meanwhile
					}
					if err != nil {
						return err
					}
					if *hook == "" {
						if err := enc.Encode(m); err != nil {
							return err // the reader went away
						}
						continue
					}
					if err := runHook(ctx, a, *hook, m); err != nil {
						log.Warn("watch --exec", "id", m.ID, "err", err)
						fmt.Fprintf(a.stderr, "pobox watch: --exec for message #%d: %v\n", m.ID, err)
					}
				}
			}
		}
	}
}

// runHook runs the user's command for one message. The text of the message
// reaches it only as JSON on standard input, never through a shell word.
func runHook(ctx context.Context, a *app, hook string, m cache.Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "/bin/sh", "-c", hook)
	cmd.Stdin = bytes.NewReader(append(body, '\n'))
	cmd.Stdout, cmd.Stderr = a.stdout, a.stderr
	cmd.Env = append(os.Environ(),
		"POBOX_ID="+strconv.FormatInt(m.ID, 10),
		"POBOX_PRIORITY="+strconv.Itoa(m.Priority),
		"POBOX_RECEIPT="+m.Receipt)
	return cmd.Run()
}
