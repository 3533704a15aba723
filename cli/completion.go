package cli

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"pobox/cache"
	"pobox/sanitize"
	"pobox/session"
	"pobox/themes"
)

// completionTimeout bounds a dynamic completion: a shell waits for it on
// every TAB.
const completionTimeout = time.Second

// completionFunc is cobra's type of a dynamic completion.
type completionFunc = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective)

// quietConfig resolves the configuration for a completion, without the
// warnings about the config file (they would land in the shell).
func quietConfig(a *app, cmd *cobra.Command) (*config, error) {
	q := *a
	q.stderr = io.Discard
	return parseConfig(&q, cmd)
}

// withCache opens an existing cache for a completion: never creating one,
// and within completionTimeout.
func withCache(a *app, cmd *cobra.Command, fn func(ctx context.Context, db *cache.DB) []string) []string {
	cfg, err := quietConfig(a, cmd)
	if err != nil {
		return nil
	}
	if _, err := os.Stat(cfg.CachePath); err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	defer cancel()
	db, err := cache.Open(ctx, cfg.CachePath)
	if err != nil {
		return nil
	}
	defer db.Close()
	return fn(ctx, db)
}

// completeApps offers the app names in the cache.
func completeApps(a *app) completionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		names := withCache(a, cmd, func(ctx context.Context, db *cache.DB) []string {
			c, err := db.Counts(ctx)
			if err != nil {
				return nil
			}
			var out []string
			for _, app := range c.Apps {
				if completable(app.App) && strings.HasPrefix(app.App, toComplete) {
					out = append(out, completionValue(app.App, plural(app.Total, "message")))
				}
			}
			return out
		})
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeReceipts offers the receipts of the emergencies waiting for an
// acknowledgement, described by their titles.
func completeReceipts(a *app) completionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		given := map[string]bool{}
		for _, r := range args {
			given[r] = true
		}
		out := withCache(a, cmd, func(ctx context.Context, db *cache.DB) []string {
			var out []string
			var before int64
			for {
				ms, err := db.Older(ctx, cache.Filter{Unacked: true}, before, cache.MaxLimit)
				if err != nil {
					return out
				}
				for _, m := range ms {
					if given[m.Receipt] || m.AckPending || !completable(m.Receipt) || !strings.HasPrefix(m.Receipt, toComplete) {
						continue
					}
					given[m.Receipt] = true
					out = append(out, completionValue(m.Receipt, firstSet(m.Title, m.App)+": "+m.Message))
				}
				if len(ms) < cache.MaxLimit {
					return out
				}
				before = ms[len(ms)-1].Key
			}
		})
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeThemes offers the built-in themes and the theme files.
func completeThemes(a *app) completionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		dir := ""
		if cfg, err := quietConfig(a, cmd); err == nil {
			dir = cfg.ConfigDir
		}
		var out []string
		for _, n := range themes.Available(dir) {
			if strings.HasPrefix(n, toComplete) {
				out = append(out, n)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeDevices offers the user's device names, as the server's
// validate call lists them for the token and user of `pobox send`; none
// when those are missing or the server does not answer within
// completionTimeout.
func completeDevices(a *app, o *sendOpts) completionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		cfg, err := quietConfig(a, cmd)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		token, user := firstSet(o.token, cfg.Token), firstSet(o.user, cfg.User)
		if token == "" || user == "" {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
		defer cancel()
		names, _ := validateDevices(ctx, cfg.APIURL, token, user)
		// Several devices: complete the last of a comma-separated list.
		done, last := "", toComplete
		if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
			done, last = toComplete[:i+1], toComplete[i+1:]
		}
		var out []string
		for _, n := range names {
			if strings.HasPrefix(n, last) {
				out = append(out, done+n)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	}
}

// validateDevices asks the server which devices the user has
// (POST /1/users/validate.json).
func validateDevices(ctx context.Context, apiURL, token, user string) ([]string, error) {
	if err := checkCompletionURL(apiURL); err != nil {
		return nil, err
	}
	form := url.Values{"token": {token}, "user": {user}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(apiURL, "/")+"/1/users/validate.json",
		strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "pobox/"+version)
	hc := &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}
	defer hc.CloseIdleConnections()
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var reply struct {
		Status  int      `json:"status"`
		Devices []string `json:"devices"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&reply); err != nil {
		return nil, err
	}
	if reply.Status != 1 {
		return nil, errors.New("the server did not validate the user")
	}
	var out []string
	for _, d := range reply.Devices {
		if d = sanitize.Line(d); d != "" && !strings.ContainsAny(d, " \t,") {
			out = append(out, d)
		}
	}
	return out, nil
}

// checkCompletionURL is the rule of the REST client: https, or http to a
// loopback address.
func checkCompletionURL(raw string) error { return session.CheckAPIURL(raw) }

// completable reports whether a value from the cache or the server (an
// app name, a receipt) can be offered to the shell as it is: one holding
// a control character, a tab or a line break would reach the terminal
// raw when the shell lists the candidates, or break cobra's protocol (a
// value a line), so it is left out rather than altered into one that no
// longer matches.
func completable(v string) bool {
	return v != "" && sanitize.Grapheme.Line(v) == v && !strings.ContainsAny(v, "\t\n\r")
}

// completionValue is a value with its description, as cobra takes them;
// the description is untrusted text, so it is sanitised and cut.
func completionValue(v, desc string) string {
	desc = sanitize.Truncate(sanitize.Line(desc), 60, "…")
	if desc == "" {
		return v
	}
	return v + "\t" + desc
}

// tuneCompletionCmd gives cobra's completion command pobox's voice, an
// example on each shell, and a usage error for a shell it does not know.
func tuneCompletionCmd(c *cobra.Command) {
	c.Short = "print the completion script for bash, zsh, fish or powershell"
	c.Example = "  source <(pobox completion bash)"
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageError("name the shell: bash, zsh, fish or powershell")
		}
		return unknownCommand(cmd, "shell", args[0])
	}
	examples := map[string]string{
		"bash":       "  source <(pobox completion bash)",
		"zsh":        `  pobox completion zsh > "${fpath[1]}/_pobox"`,
		"fish":       "  pobox completion fish > ~/.config/fish/completions/pobox.fish",
		"powershell": "  pobox completion powershell | Out-String | Invoke-Expression",
	}
	for _, sub := range c.Commands() {
		sub.Short = "the completion script for " + sub.Name()
		sub.Example = examples[sub.Name()]
	}
}
