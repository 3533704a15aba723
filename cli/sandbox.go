package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/spf13/cobra"

	"pobox/sandbox"
)

// sandboxInfo is what `pobox sandbox --json` prints, one object on one line.
type sandboxInfo struct {
	APIURL   string `json:"api_url"`
	WSURL    string `json:"ws_url"`
	Email    string `json:"email"`
	Password string `json:"password"`
	Token    string `json:"token"`
	User     string `json:"user"`
	TwoFA    string `json:"twofa,omitempty"`
}

func newSandboxCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "run a local Pushover-compatible server with a demo account",
		Long: "Run a local Pushover-compatible server (Open Client and publisher REST API,\n" +
			"websocket) with a demo account, until Ctrl-C. Requests are logged on\n" +
			"standard error, secrets redacted.",
		Example: "  pobox sandbox --seed 20 --state /tmp/pobox-sandbox.json",
		Args:    noArgs,
	}
	f := cmd.Flags()
	var o sandboxOpts
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0 picks a free one)")
	f.IntVar(&o.seed, "seed", 0, "publish `N` varied sample messages to the demo account at start")
	f.DurationVar(&o.keepAlive, "keepalive", 30*time.Second, "`interval` of the '#' keep-alive frames")
	f.StringVar(&o.statePath, "state", "", "keep accounts, devices, queues and receipts in `FILE` across restarts")
	f.StringVar(&o.twofa, "twofa", "", "make the demo account ask for this two-factor `CODE` at login")
	f.BoolVar(&o.asJSON, "json", false, "print the URLs and credentials as one JSON object on one line")
	cmd.RunE = func(cmd *cobra.Command, args []string) error { return runSandbox(cmd.Context(), a, o) }
	return cmd
}

// sandboxOpts are the flags of `pobox sandbox`.
type sandboxOpts struct {
	addr, statePath, twofa string
	seed                   int
	keepAlive              time.Duration
	asJSON                 bool
}

// runSandbox serves the local Pushover-compatible server until ctx ends
// (Ctrl-C or SIGTERM).
func runSandbox(ctx context.Context, a *app, o sandboxOpts) error {
	switch {
	case o.seed < 0:
		return usageError("--seed must be 0 or more")
	case o.keepAlive <= 0:
		return usageError("--keepalive must be positive, e.g. 30s")
	}

	srv, err := sandbox.New(sandbox.Options{
		Addr: o.addr, KeepAlive: o.keepAlive, StatePath: o.statePath, Log: a.stderr,
	})
	if err != nil {
		return err
	}
	demo := srv.AddDemo()
	// The account exists now (or was loaded): this sets or clears its code.
	srv.AddAccount(sandbox.Account{Email: demo.Email, Password: demo.Password, TwoFA: o.twofa})
	seeded := 0
	if o.seed > 0 && !srv.Loaded() {
		// A fixed random source: the same sample inbox every run.
		if err := srv.Seed(demo.User, demo.Token, o.seed, rand.New(rand.NewPCG(1, uint64(o.seed)))); err != nil {
			srv.Close()
			return err
		}
		seeded = o.seed
	}
	info := sandboxInfo{
		APIURL: srv.APIURL(), WSURL: srv.WSURL(),
		Email: demo.Email, Password: demo.Password, Token: demo.Token, User: demo.User, TwoFA: o.twofa,
	}
	if o.asJSON {
		line, err := json.Marshal(info)
		if err != nil {
			srv.Close()
			return err
		}
		fmt.Fprintf(a.stdout, "%s\n", line)
	} else {
		printSandboxBanner(a.stdout, info, seeded, o.seed, o.statePath, srv.Loaded())
	}

	<-ctx.Done()
	if err := srv.Close(); err != nil {
		return fmt.Errorf("stopping the sandbox: %w", err)
	}
	return nil
}

func printSandboxBanner(w io.Writer, in sandboxInfo, seeded, asked int, statePath string, loaded bool) {
	fmt.Fprintf(w, "pobox sandbox: a local Pushover-compatible server. Ctrl-C stops it.\n\n")
	fmt.Fprintf(w, "  API URL        %s\n", in.APIURL)
	fmt.Fprintf(w, "  websocket URL  %s\n", in.WSURL)
	fmt.Fprintf(w, "  email          %s\n", in.Email)
	fmt.Fprintf(w, "  password       %s\n", in.Password)
	if in.TwoFA != "" {
		fmt.Fprintf(w, "  two-factor     %s\n", in.TwoFA)
	}
	fmt.Fprintf(w, "  app token      %s\n", in.Token)
	fmt.Fprintf(w, "  user key       %s\n\n", in.User)
	fmt.Fprintf(w, "Point pobox at it:\n\n")
	fmt.Fprintf(w, "  export POBOX_API_URL=%s\n", in.APIURL)
	fmt.Fprintf(w, "  export POBOX_WS_URL=%s\n", in.WSURL)
	fmt.Fprintf(w, "  export POBOX_TOKEN=%s\n", in.Token)
	fmt.Fprintf(w, "  export POBOX_USER=%s\n\n", in.User)
	fmt.Fprintf(w, "Try it with curl:\n\n")
	fmt.Fprintf(w, "  curl -s -d email=%s -d password=%s %s/1/users/login.json\n", in.Email, in.Password, in.APIURL)
	fmt.Fprintf(w, "  curl -s -d secret=SECRET -d name=mydevice -d os=O %s/1/devices.json\n", in.APIURL)
	fmt.Fprintf(w, "  curl -s -d token=%s -d user=%s -d message=hello %s/1/messages.json\n", in.Token, in.User, in.APIURL)
	fmt.Fprintf(w, "  curl -s '%s/1/messages.json?secret=SECRET&device_id=DEVICE'\n\n", in.APIURL)
	switch {
	case seeded > 0:
		fmt.Fprintf(w, "Seeded %d sample messages (one emergency); every device you register receives them.\n", seeded)
	case asked > 0 && loaded:
		fmt.Fprintf(w, "Not seeding: the state in %s was loaded (delete it to start afresh).\n", statePath)
	}
	if statePath != "" {
		fmt.Fprintf(w, "State is kept in %s.\n", statePath)
	}
	fmt.Fprintf(w, "Requests are logged on standard error.\n")
}
