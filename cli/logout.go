package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"pobox/session"
	inboxsync "pobox/sync"
)

func newLogoutCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "logout",
		Short: "forget the stored login (--purge: the cache too)",
		Long: "Forget the stored login. The message cache stays unless --purge is given.\n" +
			"The device stays on your Pushover account until you delete it on the website.",
		Example: "  pobox logout --purge",
		Args:    noArgs,
	}
	purge := cmd.Flags().Bool("purge", false, "also delete the message cache")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := parseConfig(a, cmd)
		if err != nil {
			return err
		}
		return runLogout(a, cfg, *purge)
	}
	return cmd
}

func runLogout(a *app, cfg *config, purge bool) error {
	if purge {
		// The holder keeps the cache open and writes to it.
		if held, err := inboxsync.Held(cfg.LockPath); err != nil || held {
			return errors.Join(err, errors.New("a pobox is running on this cache (pobox daemon, watch or the inbox): stop it, then run pobox logout --purge again"))
		}
	}
	old, _ := session.Load(cfg.SessionPath) // only for the device name
	switch err := session.Remove(cfg.SessionPath); {
	case errors.Is(err, session.ErrNoSession):
		fmt.Fprintf(a.stdout, "Not logged in: no session at %s\n", cfg.SessionPath)
	case err != nil:
		return err
	case old != nil:
		fmt.Fprintf(a.stdout, "Logged out: forgot device %q (%s).\n"+
			"The device stays on your Pushover account; delete it on the Pushover website to stop deliveries to it.\n",
			old.DeviceName, cfg.SessionPath)
	default:
		fmt.Fprintf(a.stdout, "Logged out: removed %s\n", cfg.SessionPath)
	}
	if purge {
		return purgeCache(a, cfg.DataDir)
	}
	if held, _ := inboxsync.Held(cfg.LockPath); held && old != nil {
		fmt.Fprintf(a.stdout, "A pobox still running on this cache goes on as device %q until it stops or you log in again.\n", old.DeviceName)
	}
	return nil
}

// purgeCache deletes pobox's data directory (the cache database and its
// WAL files). It refuses any directory not named pobox, so a strange
// XDG_DATA_HOME can never make it delete something else.
func purgeCache(a *app, dir string) error {
	if filepath.Base(dir) != "pobox" || !filepath.IsAbs(dir) {
		return fmt.Errorf("refusing to delete %s: not pobox's data directory", dir)
	}
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(a.stdout, "No message cache at %s\n", dir)
		return nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("delete the message cache: %w", err)
	}
	fmt.Fprintf(a.stdout, "Deleted the message cache %s\n", dir)
	return nil
}
