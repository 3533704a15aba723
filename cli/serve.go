package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	charmlog "github.com/charmbracelet/log"
	"github.com/spf13/cobra"

	"pobox/cache"
	"pobox/sanitize"
	"pobox/serve"
	inboxsync "pobox/sync"
	"pobox/themes"
	"pobox/ui"
)

// serveSettings are the [serve] table of config.toml.
type serveSettings struct {
	Listen      string        // listen address; "" = serve.DefaultListen
	MaxSessions int           // 0 = serve.DefaultMaxSessions
	IdleTimeout time.Duration // 0 = serve.DefaultIdleTimeout
}

// serveFile is [serve] as written in config.toml.
type serveFile struct {
	Listen      string `toml:"listen"`
	MaxSessions int    `toml:"max_sessions"`
	IdleTimeout string `toml:"idle_timeout"`
}

// read applies the [serve] table of the config file.
func (ss *serveSettings) read(md toml.MetaData, f serveFile, src func(string) string) error {
	if md.IsDefined("serve", "listen") {
		ss.Listen = f.Listen
	}
	if md.IsDefined("serve", "max_sessions") {
		if f.MaxSessions < 1 {
			return fmt.Errorf("%s is %d: allow at least 1 session", src("serve.max_sessions"), f.MaxSessions)
		}
		ss.MaxSessions = f.MaxSessions
	}
	if md.IsDefined("serve", "idle_timeout") {
		d, err := time.ParseDuration(f.IdleTimeout)
		if err != nil || d <= 0 {
			return fmt.Errorf("%s %q is not a positive duration such as \"12h\"", src("serve.idle_timeout"), f.IdleTimeout)
		}
		ss.IdleTimeout = d
	}
	return nil
}

// Files of pobox serve: the host key beside the log and the lock, the
// authorised keys beside the login.
const (
	hostKeyFile        = "ssh_host_ed25519_key"
	authorizedKeysFile = "authorized_keys"
)

func newServeCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "the inbox over SSH for authorised public keys",
		Long: "Serve the inbox over SSH: every ssh session with a terminal gets its own inbox\n" +
			"on this pobox's cache and websocket (or on the pobox that holds it), sized and\n" +
			"coloured for the client; `ssh HOST list --json`, status, ack and watch run\n" +
			"without one. Public keys only, from $XDG_CONFIG_HOME/pobox/authorized_keys\n" +
			"(OpenSSH format; read at every login). The host key is made on first start in\n" +
			"$XDG_STATE_HOME/pobox; its fingerprint is printed. Listens on 127.0.0.1:2222\n" +
			"unless --listen or [serve] listen says otherwise. Runs until SIGINT or SIGTERM.\n\n" +
			"Then, from anywhere: ssh -p 2222 HOST (the inbox), ssh -p 2222 HOST list --json.",
		Example: "  pobox serve --listen 0.0.0.0:2222",
		Args:    noArgs,
	}
	listen := cmd.Flags().String("listen", "", "listen on `ADDR` (default "+serve.DefaultListen+", or [serve] listen in config.toml)")
	_ = cmd.RegisterFlagCompletionFunc("listen", cobra.NoFileCompletions)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := parseConfig(a, cmd)
		if err != nil {
			return err
		}
		if cmd.Flags().Changed("listen") {
			cfg.Serve.Listen = *listen
		}
		return runServe(cmd.Context(), a, cfg)
	}
	return cmd
}

func runServe(ctx context.Context, a *app, cfg *config) error {
	th, err := themes.Load(cfg.Theme, cfg.ConfigDir)
	if err != nil {
		return err
	}
	st, err := openStack(ctx, cfg, slog.LevelInfo)
	if err != nil {
		return err
	}
	defer st.close()
	// Each inbox measures in its own terminal's mode (ui.Options.Width);
	// the rest of the process (the commands' tables) in the one whose text
	// fits every terminal.
	sanitize.SetWidthMode(sanitize.Codepoint)

	// wish's bubbletea middleware reports a program's failure through
	// charmbracelet/log's default logger, to standard error: into the log
	// with everything else.
	charmlog.SetOutput(wishLog{st.log})

	srv, err := serve.New(serve.Config{
		Listen:             cfg.Serve.Listen,
		HostKeyPath:        filepath.Join(cfg.StateDir, hostKeyFile),
		AuthorizedKeysPath: filepath.Join(cfg.ConfigDir, authorizedKeysFile),
		DB:                 st.db,
		Engine:             st.en,
		Observe: func(ev inboxsync.Event) {
			logEvent(st.log, ev)
			if end, ok := ev.(inboxsync.SessionEnded); ok {
				fmt.Fprintf(a.stderr, "pobox serve: %s (the inboxes show the cache meanwhile)\n", end.Text)
			}
		},
		Exec:  servedExec(cfg, st),
		Theme: th,
		UI: ui.Options{Title: "pobox", BellInterval: uiBell(cfg.BellInterval),
			// Resolved per session from its TERM (tmux, screen: per code
			// point) unless the setting names one mode.
			Width: &cfg.Width, Notify: cfg.Notify, NotifyPriority: &cfg.NotifyPriority},
		MaxSessions: cfg.Serve.MaxSessions,
		IdleTimeout: cfg.Serve.IdleTimeout,
		Logger:      st.log,
	})
	if err != nil {
		return err
	}
	n, problems, err := srv.AuthorizedKeys()
	fmt.Fprintf(a.stderr, "pobox serve: listening on %s for device %q (log: %s)\n", srv.Addr(), st.login.DeviceName, cfg.LogPath)
	fmt.Fprintf(a.stderr, "pobox serve: host key %s (%s)\n", srv.HostKeyFingerprint(), filepath.Join(cfg.StateDir, hostKeyFile))
	keysPath := filepath.Join(cfg.ConfigDir, authorizedKeysFile)
	for _, p := range problems {
		fmt.Fprintf(a.stderr, "pobox serve: warning: %s\n", p)
	}
	switch {
	case err != nil:
		fmt.Fprintf(a.stderr, "pobox serve: nobody can log in: %v\n", err)
	case n == 0:
		fmt.Fprintf(a.stderr, "pobox serve: nobody can log in yet: add a public key to %s (cat ~/.ssh/id_ed25519.pub >> %s)\n", keysPath, keysPath)
	default:
		fmt.Fprintf(a.stderr, "pobox serve: %s may log in (%s)\n", plural(n, "key"), keysPath)
	}
	st.log.Info("serve started", "addr", srv.Addr().String(), "host_key", srv.HostKeyFingerprint(), "authorized_keys", n)
	st.start(ctx)
	err = srv.Serve(ctx)
	st.log.Info("serve stopped", "why", context.Cause(ctx))
	return err
}

// wishLog is an io.Writer that puts each line charmbracelet/log writes
// into pobox's log.
type wishLog struct{ log *slog.Logger }

func (w wishLog) Write(p []byte) (int, error) {
	w.log.Warn("ssh library", "report", strings.TrimSpace(string(p)))
	return len(p), nil
}

// servedExec runs the commands a client gives on the ssh command line,
// on the server's open cache and engine (never a second engine or lock
// in this process). Only serve.Verbs reach it.
func servedExec(cfg *config, st *stack) func(context.Context, serve.Command) int {
	return func(ctx context.Context, c serve.Command) int {
		a := &app{stdin: c.Stdin, stdout: c.Stdout, stderr: c.Stderr}
		root := newServedRoot(a, cfg, st, c)
		root.SetArgs(c.Args)
		cmd, err := root.ExecuteContextC(ctx)
		if err == nil {
			return ExitOK
		}
		if cmd == nil {
			cmd = root
		}
		var silent *silentError
		if !errors.As(err, &silent) {
			fmt.Fprintf(a.stderr, "%s: %v\n", cmd.CommandPath(), err)
		}
		code := exitCode(err)
		if code == ExitUsage {
			fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return code
	}
}

// newServedRoot is the command line a client gets: list, status, ack and
// watch, with the flags that only read the cache or act through the
// engine (no --exec: a client's key is not a shell on this machine).
func newServedRoot(a *app, cfg *config, st *stack, c serve.Command) *cobra.Command {
	root := &cobra.Command{
		Use:           "pobox",
		Short:         "pobox serve's commands",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageErr{err.Error()} })

	list := &cobra.Command{
		Use:     "list",
		Short:   "print the cached messages (--json for scripts)",
		Example: "  ssh -p 2222 HOST list --json --since 2h | jq -r .title",
		Args:    noArgs,
	}
	lf := addFilterFlags(a, list)
	listJSON := list.Flags().BoolP("json", "j", false, "one JSON object a line instead of a table")
	limit := list.Flags().IntP("limit", "n", 0, "print at most `N` messages (0: all)")
	list.RunE = func(cmd *cobra.Command, _ []string) error {
		if *limit < 0 {
			return usageError("--limit must be 0 (all) or more")
		}
		mf, err := lf.build(time.Now())
		if err != nil {
			return err
		}
		return printList(cmd.Context(), a.stdout, c.Width, st.db, listDevice(cmd.Context(), cfg, st.db), mf, *listJSON, *limit)
	}

	status := &cobra.Command{
		Use:     "status",
		Short:   "login, device, connection holder, last sync and counts",
		Example: "  ssh -p 2222 HOST status --json | jq .unacked",
		Args:    noArgs,
	}
	statusJSON := status.Flags().BoolP("json", "j", false, "one JSON object instead of text")
	status.RunE = func(cmd *cobra.Command, _ []string) error {
		rep, err := readStatusLogin(cfg)
		if err != nil {
			return err
		}
		rep.CacheFound = true
		if rep.Status, err = inboxsync.ReadStatus(cmd.Context(), st.db); err != nil {
			return err
		}
		return printStatus(a.stdout, rep, *statusJSON)
	}

	ack := &cobra.Command{
		Use:     "ack RECEIPT... | ack --all",
		Short:   "acknowledge emergencies (--all: every one waiting)",
		Example: "  ssh -p 2222 HOST ack --all",
	}
	all := ack.Flags().BoolP("all", "a", false, "acknowledge every emergency in the cache not yet acknowledged")
	ack.RunE = func(cmd *cobra.Command, args []string) error {
		if *all == (len(args) > 0) {
			return usageError("give receipts, or --all")
		}
		ctx := cmd.Context()
		receipts := args
		if *all {
			var err error
			if receipts, err = waitingReceipts(ctx, st.db); err != nil {
				return err
			}
			if len(receipts) == 0 {
				fmt.Fprintln(a.stdout, "No emergency waits for acknowledgement.")
				return nil
			}
		}
		return servedAck(ctx, a.stdout, st, c.Events(), receipts)
	}

	watch := &cobra.Command{
		Use:     "watch",
		Short:   "print new messages as they arrive, until you disconnect",
		Example: "  ssh -p 2222 HOST watch --priority 1 | jq -r .title",
		Args:    noArgs,
	}
	wf := addFilterFlags(a, watch)
	backlog := watch.Flags().Bool("backlog", false, "also report what waited on Pushover before the first login")
	watch.RunE = func(cmd *cobra.Command, _ []string) error {
		mf, err := wf.build(time.Now())
		if err != nil {
			return err
		}
		// The server logs every event once already.
		quiet := slog.New(slog.DiscardHandler)
		return streamWatch(cmd.Context(), a.stdout, quiet, st.db, c.Events(), mf, nil, *backlog, nil)
	}

	root.AddCommand(list, status, ack, watch)
	return root
}

// waitingReceipts lists the receipts of the emergencies in db not yet
// acknowledged nor queued for it.
func waitingReceipts(ctx context.Context, db *cache.DB) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	err := eachMessage(ctx, db, messageFilter{Filter: cache.Filter{Unacked: true}}, 0, func(m cache.Message) error {
		if !m.AckPending && !seen[m.Receipt] {
			seen[m.Receipt] = true
			out = append(out, m.Receipt)
		}
		return nil
	})
	return out, err
}

// servedAckBeforeFlush, when a test sets it, runs between queueing and
// Flush: there it lets the engine's replay win the race.
var servedAckBeforeFlush func(ctx context.Context, st *stack)

// servedAckWait bounds how long ack waits for the engine's own replay to
// report; what has not been carried out by then is reported queued.
const servedAckWait = 30 * time.Second

// servedAck acknowledges receipts through the running engine and reports
// what became of each, as `pobox ack` does. The engine's own replay may
// carry an acknowledgement out before Flush sees it (it is kicked by the
// queueing, and by its poll of the cache), so besides what Flush reports
// it waits, on events (subscribed before queueing, so that none is
// missed), for what the engine reports; an acknowledgement another pobox
// carried out leaves the outbox without an event here, and counts as
// done once it has been gone a second.
func servedAck(ctx context.Context, w io.Writer, st *stack, events <-chan inboxsync.Event, receipts []string) error {
	pending := map[string]bool{}
	for _, r := range receipts {
		if err := st.en.Acknowledge(ctx, r); err != nil {
			return err
		}
		pending[r] = true
	}
	var results []inboxsync.Event
	take := func(ev inboxsync.Event) {
		var act inboxsync.Action
		switch ev := ev.(type) {
		case inboxsync.ActionDone:
			act = ev.Action
		case inboxsync.ActionFailed:
			act = ev.Action
		default:
			return
		}
		if act.Kind == inboxsync.ActionAck && pending[act.Receipt] {
			delete(pending, act.Receipt)
			results = append(results, ev)
		}
	}
	if servedAckBeforeFlush != nil {
		servedAckBeforeFlush(ctx, st)
	}
	for _, ev := range st.en.Flush(ctx) {
		take(ev)
	}
	deadline := time.NewTimer(servedAckWait)
	defer deadline.Stop()
	poll := time.NewTicker(200 * time.Millisecond)
	defer poll.Stop()
	gone := map[string]time.Time{} // left the outbox without an event, since
wait:
	for len(pending) > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			break wait
		case ev, ok := <-events:
			if !ok {
				break wait
			}
			take(ev)
		case now := <-poll.C:
			items, err := st.db.Outbox(ctx)
			if err != nil {
				return err
			}
			queued := map[string]bool{}
			for _, it := range items {
				queued[it.Receipt] = true
			}
			for r := range pending {
				switch {
				case queued[r]:
					delete(gone, r)
				case gone[r].IsZero():
					gone[r] = now
				case now.Sub(gone[r]) >= time.Second:
					delete(pending, r)
					fmt.Fprintf(w, "acknowledge %s: carried out by another pobox\n", r)
				}
			}
		}
	}
	for _, r := range receipts {
		if pending[r] {
			results = append(results, inboxsync.ActionFailed{Action: inboxsync.Action{Kind: inboxsync.ActionAck, Receipt: r},
				Err: errors.New("no answer from Pushover yet"), Queued: true})
		}
	}
	return reportActions(w, results)
}

// printStatus prints a status report as text or JSON.
func printStatus(w io.Writer, rep *statusReport, asJSON bool) error {
	if !asJSON {
		rep.print(w, time.Now())
		return nil
	}
	b, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
