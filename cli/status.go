package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"pobox/cache"
	"pobox/sanitize"
	"pobox/session"
	inboxsync "pobox/sync"
)

func newStatusCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "status",
		Short: "login, device, connection holder, last sync and counts",
		Long: "Print who is logged in, the device, which pobox process holds the\n" +
			"websocket and since when, its last keep-alive and reconnects, the last\n" +
			"sync, and the counts of the cache (messages, unread, emergencies to\n" +
			"acknowledge, actions waiting in the outbox). It reads only local files,\n" +
			"never the network, so a shell prompt or a monitoring check can call it;\n" +
			"the exit status is 3 when nobody is logged in.",
		Example: `  pobox status --json | jq .unacked`,
		Args:    noArgs,
	}
	asJSON := cmd.Flags().BoolP("json", "j", false, "one JSON object instead of text")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := parseConfig(a, cmd)
		if err != nil {
			return err
		}
		rep, err := readStatus(cmd.Context(), cfg)
		if err != nil {
			return err
		}
		if *asJSON {
			b, err := json.Marshal(rep)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "%s\n", b)
		} else {
			rep.print(a.stdout, time.Now())
		}
		if !rep.LoggedIn {
			return errNotLoggedInStatus
		}
		return nil
	}
	return cmd
}

// errNotLoggedInStatus is status's exit when logged out: the report says
// it already, so the error only sets the exit code.
var errNotLoggedInStatus = &silentError{fmt.Errorf("not logged in: %w", session.ErrNoSession)}

// silentError sets an exit code without a message of its own.
type silentError struct{ err error }

func (e *silentError) Error() string { return e.err.Error() }
func (e *silentError) Unwrap() error { return e.err }

// statusReport is what `pobox status --json` prints.
type statusReport struct {
	LoggedIn   bool   `json:"logged_in"`
	Email      string `json:"email,omitempty"` // the account's e-mail, when the login stored it
	User       string `json:"user,omitempty"`  // the user key, shortened
	Device     string `json:"device,omitempty"`
	DeviceID   string `json:"device_id,omitempty"`
	Cache      string `json:"cache"`
	CacheFound bool   `json:"cache_found"`
	// Held: a pobox process holds the websocket lock now.
	Held bool `json:"held"`
	inboxsync.Status
}

// readStatus gathers the report from the session file, the lock and the
// cache, creating none of them.
func readStatus(ctx context.Context, cfg *config) (*statusReport, error) {
	rep, err := readStatusLogin(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(cfg.CachePath); errors.Is(err, os.ErrNotExist) {
		return rep, nil
	}
	rep.CacheFound = true
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	db, err := cache.Open(ctx, cfg.CachePath)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	if rep.Status, err = inboxsync.ReadStatus(ctx, db); err != nil {
		return nil, err
	}
	return rep, nil
}

// readStatusLogin is the part of the report that does not come from the
// cache: the login and the holder lock.
func readStatusLogin(cfg *config) (*statusReport, error) {
	rep := &statusReport{Cache: cfg.CachePath}
	login, err := session.Load(cfg.SessionPath)
	switch {
	case errors.Is(err, session.ErrNoSession):
	case err != nil:
		return nil, err
	default:
		rep.LoggedIn, rep.User, rep.Email = true, shortKey(login.UserKey), sanitize.Line(login.Email)
		rep.Device, rep.DeviceID = login.DeviceName, login.DeviceID
	}
	if _, err := os.Stat(cfg.LockPath); err == nil {
		if rep.Held, err = inboxsync.Held(cfg.LockPath); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// shortKey shows enough of a user key to recognise it.
func shortKey(k string) string {
	if len(k) <= 10 {
		return k
	}
	return k[:5] + "…" + k[len(k)-4:]
}

func (r *statusReport) print(w io.Writer, now time.Time) {
	line := func(label, format string, args ...any) {
		fmt.Fprintf(w, "%-12s %s\n", label, fmt.Sprintf(format, args...))
	}
	if r.LoggedIn {
		if r.Email != "" {
			line("Logged in", "as %s (user key %s)", r.Email, r.User)
		} else {
			line("Logged in", "as user key %s", r.User)
		}
		line("Device", "%s (id %s)", sanitize.Line(r.Device), sanitize.Line(r.DeviceID))
	} else {
		line("Logged in", "no: run `pobox login`")
	}
	line("Connection", "%s", r.connection(now))
	if !r.CacheFound {
		line("Cache", "none yet at %s", r.Cache)
		return
	}
	if r.LastSync.IsZero() {
		line("Last sync", "never")
	} else {
		line("Last sync", "%s", ago(r.LastSync, now))
	}
	line("Messages", "%d cached, %d unread, %d %s to acknowledge", r.Messages, r.Unread, r.Unacked-r.AckPending,
		pluralWord(r.Unacked-r.AckPending, "emergency", "emergencies"))
	line("Outbox", "%s waiting", plural(r.Outbox, "action"))
}

// connection describes the websocket and its holder.
func (r *statusReport) connection(now time.Time) string {
	if !r.Held {
		if r.Link.State == "ended" {
			return "none: " + endedText(r.Link.Ended)
		}
		return "no pobox holds the websocket (start `pobox daemon` or the inbox)"
	}
	var b strings.Builder
	switch r.Link.State {
	case "connected":
		b.WriteString("connected")
	case "reconnecting":
		b.WriteString("reconnecting")
		if r.Link.Err != "" {
			// The holder's error may quote a server.
			b.WriteString(" (" + sanitize.Line(r.Link.Err) + ")")
		}
	case "ended":
		b.WriteString("none: " + endedText(r.Link.Ended))
	case "":
		b.WriteString("connecting")
	default:
		b.WriteString(r.Link.State)
	}
	if !r.Link.At.IsZero() {
		b.WriteString(" " + ago(r.Link.At, now))
	}
	if h := r.Holder; h != nil {
		fmt.Fprintf(&b, "; held by pid %d", h.PID)
		if !h.Since.IsZero() {
			b.WriteString(" since " + ago(h.Since, now))
		}
		if !h.KeepAliveAt.IsZero() {
			b.WriteString("; last keep-alive " + ago(h.KeepAliveAt, now))
		}
		fmt.Fprintf(&b, "; %s", plural(h.Reconnects, "reconnect"))
	} else {
		b.WriteString("; held by another pobox process")
	}
	return b.String()
}

func endedText(why string) string {
	if why == "elsewhere" {
		return "this device connected from another session"
	}
	return "Pushover refused the login: run `pobox login`"
}

// ago is a time and how long ago it was.
func ago(t, now time.Time) string {
	d := now.Sub(t).Round(time.Second)
	if d < 0 {
		d = 0
	}
	return fmt.Sprintf("%s (%s ago)", t.Local().Format("2006-01-02 15:04:05"), d)
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
