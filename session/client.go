// Package session is pobox's only door to Pushover's REST API: the Open
// Client calls (login, device registration, download, delete-up-to,
// acknowledge), the publisher calls (send, receipts), and the stored login
// (the session file). It imports no other pobox package.
//
// Every failure is one of a few typed errors (see errors.go) that say what
// the user can do; the login secret never appears in any of them.
package session

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultAPIURL is Pushover's REST API.
const DefaultAPIURL = "https://api.pushover.net"

// Options tune a Client; the zero value is ready to use.
type Options struct {
	// Version is pobox's version, sent as User-Agent "pobox/<Version>".
	Version string
	// Timeout bounds each HTTP attempt; 0 means 30 s.
	Timeout time.Duration
	// Retry bounds the retries of download, delete-up-to and acknowledge.
	Retry Backoff
	// Logger receives one debug line per HTTP attempt, secrets redacted;
	// nil means no logging.
	Logger *slog.Logger
}

// Backoff is the retry policy for the calls that are safe to repeat. Waits
// grow exponentially from Base, each stretched by a random 0-50% (jitter),
// and never exceed Max.
type Backoff struct {
	Attempts int           // tries in total, first included; 0 means 4
	Base     time.Duration // first wait; 0 means 5 s (Pushover asks for >= 5 s after a 5xx)
	Max      time.Duration // longest wait; 0 means 1 min
}

// Client talks to one Pushover-compatible server. It is safe for
// concurrent use.
type Client struct {
	base    string // scheme://host[:port][/prefix], no trailing slash
	host    string // for messages
	hc      *http.Client
	ua      string
	timeout time.Duration
	retry   Backoff
	log     *slog.Logger
}

// New returns a Client for baseURL (for example "https://api.pushover.net";
// the "/1/..." paths are added). https:// is accepted for any host, http://
// only for loopback addresses, since the secret travels in the requests.
func New(baseURL string, opts Options) (*Client, error) {
	u, err := checkURL(baseURL, "https", "http")
	if err != nil {
		return nil, err
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Retry.Attempts <= 0 {
		opts.Retry.Attempts = 4
	}
	if opts.Retry.Base <= 0 {
		opts.Retry.Base = 5 * time.Second
	}
	if opts.Retry.Max <= 0 {
		opts.Retry.Max = time.Minute
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	// Pushover asks clients to keep at most 2 connections and reuse them.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxConnsPerHost = 2
	tr.MaxIdleConnsPerHost = 2
	tr.Proxy = http.ProxyFromEnvironment
	hc := &http.Client{
		Transport: tr,
		// A redirect could carry the secret in the query to another host
		// (or to plain http); the API never redirects, so refuse.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Client{
		base:    strings.TrimSuffix(u.String(), "/"),
		host:    u.Host,
		hc:      hc,
		ua:      "pobox/" + opts.Version,
		timeout: opts.Timeout,
		retry:   opts.Retry,
		log:     opts.Logger,
	}, nil
}

// BaseURL returns the server's base URL.
func (c *Client) BaseURL() string { return c.base }

// CloseIdleConnections releases the kept-alive connections.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// ErrInsecureURL reports a server URL that pobox refuses to use.
var ErrInsecureURL = errors.New("session: refused server URL")

// CheckAPIURL reports whether raw is an acceptable REST base URL: https://
// for any host, http:// for loopback addresses only.
func CheckAPIURL(raw string) error {
	_, err := checkURL(raw, "https", "http")
	return err
}

// CheckWSURL reports whether raw is an acceptable websocket URL: wss:// for
// any host, ws:// for loopback addresses only.
func CheckWSURL(raw string) error {
	_, err := checkURL(raw, "wss", "ws")
	return err
}

func checkURL(raw, secure, plain string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("%w: %q is not a URL such as %s://api.example.com", ErrInsecureURL, RedactURL(raw), secure)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%w: %s: give only scheme, host, port and path (no user, query or fragment)", ErrInsecureURL, RedactURL(raw))
	}
	switch strings.ToLower(u.Scheme) {
	case secure:
	case plain:
		if !IsLoopback(u.Hostname()) {
			return nil, fmt.Errorf("%w: plain %s:// is allowed only for loopback addresses (127.0.0.1, ::1, localhost), not %q: use %s://",
				ErrInsecureURL, plain, u.Hostname(), secure)
		}
	default:
		return nil, fmt.Errorf("%w: %s: the scheme must be %s:// (or %s:// on a loopback address)", ErrInsecureURL, RedactURL(raw), secure, plain)
	}
	return u, nil
}

// IsLoopback reports whether host (a name or an IP address, without port)
// is a loopback address.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
