package session

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// Secret is a login secret (or any credential). It prints as "[redacted]"
// with every fmt verb, in slog and in panics, so that it cannot leak by
// accident; Reveal returns the value for the wire and the session file.
type Secret string

const redacted = "[redacted]"

// Reveal returns the secret itself.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer.
func (s Secret) String() string { return redacted }

// GoString implements fmt.GoStringer.
func (s Secret) GoString() string { return `session.Secret("` + redacted + `")` }

// Format implements fmt.Formatter, covering %x, %q and every other verb.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// sensitiveParams are query and form keys whose values are never shown.
var sensitiveParams = []string{"secret", "token", "password", "twofa"}

// RedactURL returns u with the values of secret, token, password and twofa
// replaced, for logs and errors. Text that does not parse is dropped.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unprintable URL)"
	}
	u.User = nil
	q := u.Query()
	changed := false
	for _, k := range sensitiveParams {
		if q.Has(k) {
			q.Set(k, "REDACTED")
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// scrubber removes known secret values from text that is about to leave
// the package (server-supplied error text, cause chains).
type scrubber []string

func (s scrubber) text(t string) string {
	for _, v := range s {
		if len(v) >= 4 { // shorter values would match ordinary words
			t = strings.ReplaceAll(t, v, redacted)
		}
	}
	return t
}

func (s scrubber) list(l []string) []string {
	for i := range l {
		l[i] = s.text(l[i])
	}
	return l
}

// redactCause rebuilds a transport error without the request URL's query
// and with every known secret removed from its text, keeping the chain for
// errors.Is (context.DeadlineExceeded, net.Error, ...).
func redactCause(err error, s scrubber) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: RedactURL(ue.URL), Err: redactCause(ue.Err, s)}
	}
	msg := err.Error()
	if clean := s.text(msg); clean != msg {
		return &scrubbedError{msg: clean, cause: err}
	}
	return err
}

// scrubbedError shows cleaned text while errors.Is still sees the cause
// (its text is never printed: Error returns msg).
type scrubbedError struct {
	msg   string
	cause error
}

func (e *scrubbedError) Error() string { return e.msg }

// Is lets errors.Is match the original cause without exposing it to As.
func (e *scrubbedError) Is(target error) bool { return errors.Is(e.cause, target) }
