package cli

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"pobox/cache"
	inboxsync "pobox/sync"
)

func newDeleteCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "delete --upto ID | delete ID...",
		Short: "delete messages (--upto ID: here and on Pushover)",
		Long: "With --upto, delete the message ID and every older one, here and on\n" +
			"Pushover (the Open Client API deletes by watermark); the exit status is 5\n" +
			"when Pushover could not be reached and the delete waits in the queue.\n" +
			"With IDs, delete those messages here only: Pushover has no way to delete\n" +
			"one message.",
		Example: "  pobox delete --upto $(pobox list --json --limit 1 | jq -r .id_str)",
	}
	upto := cmd.Flags().Int64("upto", 0, "delete `ID` and everything older, here and on Pushover")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if (*upto > 0) == (len(args) > 0) {
			return usageError("give --upto ID, or the IDs of messages to delete here")
		}
		ids, err := parseIDs(args)
		if err != nil {
			return err
		}
		cfg, err := parseConfig(a, cmd)
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		if *upto > 0 {
			return withActions(ctx, cfg, a, func(en *inboxsync.Engine) error {
				d, err := en.DeleteUpToID(ctx, *upto)
				if err != nil {
					return err
				}
				fmt.Fprintf(a.stdout, "Deleted %s here.\n", plural(d.Removed, "message"))
				switch s := d.Server.UpToID; {
				case s == 0:
					fmt.Fprintln(a.stdout, "Nothing to delete on Pushover: this device has stored no message yet.")
				case s < *upto:
					fmt.Fprintf(a.stdout, "Deleting on Pushover up to #%d (the newest message here); %d is above it.\n", s, *upto)
				default:
					fmt.Fprintf(a.stdout, "Deleting on Pushover up to #%d.\n", s)
				}
				return nil
			})
		}
		db, err := openCache(ctx, cfg)
		if err != nil {
			return err
		}
		defer db.Close()
		dev, err := currentDevice(ctx, cfg, db)
		if err != nil {
			return err
		}
		deleted := 0
		for _, id := range ids {
			m, err := db.Find(ctx, dev.N, id)
			if errors.Is(err, cache.ErrNotFound) {
				fmt.Fprintf(a.stderr, "pobox delete: no message #%d here (deleted already?)\n", id)
				continue
			}
			if err != nil {
				return err
			}
			if err := db.Delete(ctx, m.Key); err != nil {
				return err
			}
			deleted++
		}
		fmt.Fprintf(a.stdout, "Deleted %s here.\n", plural(deleted, "message"))
		return nil
	}
	return cmd
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
