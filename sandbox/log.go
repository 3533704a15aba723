package sandbox

import (
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

const maxRequests = 10000 // Requests keeps the most recent ones

// secretParams are the query parameters whose values never reach the log.
// Request bodies are never logged at all.
var secretParams = map[string]bool{
	"secret": true, "password": true, "twofa": true, "token": true, "user": true,
}

// requestLog records requests for Requests and writes one line each to w.
type requestLog struct {
	mu      sync.Mutex
	w       io.Writer
	entries []Request
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = appendCapped(l.entries, r, maxRequests)
	if l.w != nil {
		fault := ""
		if r.Fault != "" {
			fault = " fault=" + r.Fault
		}
		fmt.Fprintf(l.w, "%s %s %s %d %s%s\n", r.At.Format("15:04:05.000"), r.Method, r.Path, r.Status,
			r.Duration.Round(time.Microsecond), fault)
	}
}

// appendCapped appends v and keeps at least the last n entries, trimming
// in chunks so that a long-running server does not copy on every append.
func appendCapped[T any](s []T, v T, n int) []T {
	if len(s) >= 2*n {
		s = slices.Delete(s, 0, len(s)-n)
	}
	return append(s, v)
}

// note writes an event that is not a request (websocket logins, callback
// failures) to the log. Callers must not pass secrets.
func (l *requestLog) note(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w != nil {
		fmt.Fprintf(l.w, "%s %s\n", time.Now().Format("15:04:05.000"), sanitize(fmt.Sprintf(format, args...)))
	}
}

// sanitize keeps control characters of untrusted text out of the log,
// which a person reads on a terminal.
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '?'
		}
		return r
	}, s)
}

// redactPath is the request path and query for the log, with the values of
// secret parameters replaced by REDACTED.
func redactPath(u *url.URL) string {
	path := sanitize(u.EscapedPath())
	if u.RawQuery == "" {
		return path
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return path + "?[unparsable query redacted]"
	}
	for k, vs := range q {
		if secretParams[strings.ToLower(k)] {
			for i := range vs {
				vs[i] = "REDACTED"
			}
		}
	}
	return path + "?" + q.Encode()
}

// Requests returns the request log (at least the last 10,000 requests),
// oldest first, secrets redacted.
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return slices.Clone(s.log.entries)
}

// errorLog receives net/http's own complaints (bad TLS attempts, broken
// requests), so that they go to the request log and never to the process's
// standard error behind its back.
type errorLog struct{ l *requestLog }

func (e errorLog) Write(p []byte) (int, error) {
	e.l.note("%s", strings.TrimSpace(string(p)))
	return len(p), nil
}
