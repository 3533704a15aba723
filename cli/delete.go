package main

import (
	"context"
	"fmt"
	"strconv"

	inboxsync "pobox/sync"
)

func runDelete(ctx context.Context, a *app, args []string) error {
	fs := newFlagSet(a, "delete",
		"delete --upto ID | delete ID...\n\n"+
			"With --upto, delete the message ID and every older one, here and on\n"+
			"Pushover (the Open Client API deletes by watermark). With IDs, delete\n"+
			"those messages here only: Pushover has no way to delete one message.",
		"pobox delete --upto $(pobox list --json --limit 1 | jq .id)")
	upto := fs.Int64("upto", 0, "delete `ID` and everything older, here and on Pushover")
	cfg, err := parseConfig(a, fs, args)
	if err != nil {
		return err
	}
	if (*upto > 0) == (fs.NArg() > 0) {
		return usageError("give --upto ID, or the IDs of messages to delete here")
	}
	if *upto > 0 {
		return withActions(ctx, cfg, a, func(en *inboxsync.Engine) error {
			n, err := en.DeleteUpTo(ctx, *upto)
			if err == nil {
				fmt.Fprintf(a.stdout, "Deleted %s here, up to #%d.\n", plural(n, "message"), *upto)
			}
			return err
		})
	}
	ids, err := parseIDs(fs.Args())
	if err != nil {
		return err
	}
	db, err := openCache(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, id := range ids {
		if err := db.Delete(ctx, id); err != nil {
			return err
		}
	}
	fmt.Fprintf(a.stdout, "Deleted %s here.\n", plural(len(ids), "message"))
	return nil
}

// parseIDs reads message ids given as arguments.
func parseIDs(args []string) ([]int64, error) {
	ids := make([]int64, len(args))
	for i, s := range args {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, usageError("%q is not a message id (see the ID column of pobox list)", s)
		}
		ids[i] = id
	}
	return ids, nil
}
