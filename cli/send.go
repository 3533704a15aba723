package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"pobox/session"
)

// maxStdinMessage bounds what `pobox send` reads from standard input: far
// above Pushover's 1024 characters, so the limit check still names it.
const maxStdinMessage = 64 << 10

func newSendCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "send [flags] [MESSAGE]",
		Short: "publish a message as an application",
		Long: "Publish a message to Pushover as an application. The message is the argument,\n" +
			"or standard input when there is none. Prints the request id, and the receipt\n" +
			"of an emergency (priority 2).",
		Example: `  pobox send --priority 2 --retry 60 --expire 3600 "disk full"`,
	}
	var o sendOpts
	f := cmd.Flags()
	f.StringVar(&o.token, "token", "", "application `TOKEN` (env POBOX_TOKEN, or token in config.toml)")
	f.StringVar(&o.user, "user", "", "user or group `KEY`s, comma-separated (env POBOX_USER, or user in config.toml)")
	f.StringVarP(&o.title, "title", "t", "", "`TITLE` (at most 250 characters; default: the app's name)")
	f.IntVarP(&o.priority, "priority", "p", 0, "`N`: -2 silent, -1 quiet, 0 normal, 1 high, 2 emergency (needs --retry, --expire)")
	f.StringVar(&o.sound, "sound", "", "sound `NAME`, e.g. siren or none")
	f.StringVar(&o.link, "url", "", "supplementary `URL` (at most 512 characters)")
	f.StringVar(&o.linkTitle, "url-title", "", "`LABEL` of --url (at most 100 characters)")
	f.BoolVar(&o.html, "html", false, "the message uses Pushover's HTML subset (b, i, u, font, a)")
	f.BoolVar(&o.mono, "monospace", false, "show the message in a fixed-width font")
	f.Var(&o.ttl, "ttl", "delete the message from devices after `SECONDS` (or a duration: 1h)")
	f.Var(&o.retry, "retry", "priority 2: repeat every `SECONDS` (at least 30)")
	f.Var(&o.expire, "expire", "priority 2: stop repeating after `SECONDS` (at most 10800)")
	f.StringVar(&o.device, "device", "", "deliver only to these device `NAMES` (comma-separated)")
	f.StringVar(&o.attachment, "attachment", "", "attach an image `FILE` (at most 5 MB)")
	f.StringVar(&o.timestamp, "timestamp", "", "show `TIME` instead of the receive time: Unix seconds or RFC 3339")
	_ = cmd.RegisterFlagCompletionFunc("device", completeDevices(a, &o))
	_ = cmd.RegisterFlagCompletionFunc("priority", cobra.FixedCompletions(
		[]string{"-2\tsilent", "-1\tquiet", "0\tnormal", "1\thigh", "2\temergency"}, cobra.ShellCompDirectiveNoFileComp))
	_ = cmd.MarkFlagFilename("attachment", "png", "jpg", "jpeg", "gif")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		cfg, err := parseConfig(a, cmd)
		if err != nil {
			return err
		}
		return runSend(cmd.Context(), a, cfg, o, args)
	}
	return cmd
}

// sendOpts are the flags of `pobox send`.
type sendOpts struct {
	token, user, title, sound, link, linkTitle, device, attachment, timestamp string
	priority                                                                  int
	html, mono                                                                bool
	ttl, retry, expire                                                        secondsFlag
}

func runSend(ctx context.Context, a *app, cfg *config, o sendOpts, args []string) error {
	var err error
	req := session.SendRequest{
		Token: firstSet(o.token, cfg.Token), User: firstSet(o.user, cfg.User),
		Title: o.title, Priority: o.priority, Sound: o.sound, URL: o.link, URLTitle: o.linkTitle,
		HTML: o.html, Monospace: o.mono, TTL: int(o.ttl), Retry: int(o.retry), Expire: int(o.expire), Device: o.device,
	}
	switch {
	case req.Token == "":
		return usageError("no application token: give --token, set POBOX_TOKEN, or put token = \"...\" in %s", configFileHint(cfg))
	case req.User == "":
		return usageError("no user key: give --user, set POBOX_USER, or put user = \"...\" in %s", configFileHint(cfg))
	case o.priority == 2 && (o.retry == 0 || o.expire == 0):
		return usageError("priority 2 (emergency) needs --retry SECONDS (at least 30) and --expire SECONDS (at most 10800)")
	}
	if o.timestamp != "" {
		if req.Timestamp, err = parseTimestamp(o.timestamp); err != nil {
			return usageError("--timestamp: %v", err)
		}
	}
	if req.Message, err = sendMessageText(a, args); err != nil {
		return err
	}
	if o.attachment != "" {
		if req.Attachment, err = session.ReadAttachment(o.attachment); err != nil {
			return limitAsUsage(err)
		}
	}
	if err := req.Check(); err != nil {
		return limitAsUsage(err)
	}

	client, err := cfg.client()
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	res, err := client.Send(ctx, req)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "request: %s\n", res.Request)
	if res.Receipt != "" {
		fmt.Fprintf(a.stdout, "receipt: %s\n", res.Receipt)
	}
	return nil
}

// sendMessageText returns the message from the one argument or, without
// one, from standard input (not from a terminal: that would wait silently).
func sendMessageText(a *app, args []string) (string, error) {
	switch len(args) {
	case 1:
		return args[0], nil
	case 0:
	default:
		return "", usageError("give the message as one argument (quote it) and the flags before it; got %d arguments", len(args))
	}
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return "", usageError("no message: give it as an argument or on standard input")
	}
	b, err := io.ReadAll(io.LimitReader(a.stdin, maxStdinMessage+1))
	if err != nil {
		return "", fmt.Errorf("read the message from standard input: %w", err)
	}
	if len(b) > maxStdinMessage {
		return "", usageError("the message on standard input is over %d bytes; Pushover's limit is %d characters", maxStdinMessage, session.MaxMessage)
	}
	msg := strings.TrimRight(string(b), "\r\n")
	if strings.TrimSpace(msg) == "" {
		return "", usageError("no message: standard input was empty")
	}
	return msg, nil
}

// limitAsUsage turns a broken limit (an input mistake) into a usage error
// that names the limit; other errors pass through.
func limitAsUsage(err error) error {
	var le *session.LimitError
	if errors.As(err, &le) {
		return usageError("%s %s", le.Field, le.Msg)
	}
	return err
}

// parseTimestamp accepts Unix seconds or an RFC 3339 time.
func parseTimestamp(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return n, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || t.Unix() < 0 {
		return 0, fmt.Errorf("%q is neither Unix seconds nor an RFC 3339 time such as 2026-05-01T12:00:00Z", s)
	}
	return t.Unix(), nil
}

func firstSet(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func configFileHint(cfg *config) string {
	if cfg.File != "" {
		return cfg.File
	}
	return cfg.ConfigDir + "/config.toml"
}

// secondsFlag is a number of seconds, given as "60" or as a duration "1m".
type secondsFlag int

func (s *secondsFlag) String() string { return strconv.Itoa(int(*s)) }

// Set implements pflag.Value.
func (s *secondsFlag) Set(v string) error {
	if n, err := strconv.Atoi(v); err == nil {
		*s = secondsFlag(n)
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d%time.Second != 0 {
		return errors.New("use whole seconds (60) or a duration (1m30s)")
	}
	*s = secondsFlag(d / time.Second)
	return nil
}

// Type implements pflag.Value.
func (s *secondsFlag) Type() string { return "seconds" }
