package session

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinels name the failure classes. Every error the Client returns for a
// class is a typed error (below) that matches its sentinel with errors.Is,
// so callers can branch with errors.Is and read details with errors.As.
var (
	// ErrTwoFactorRequired: the account uses two-factor authentication and
	// the code was missing or not accepted.
	ErrTwoFactorRequired = errors.New("session: two-factor code required")
	// ErrBadCredentials: the e-mail address or password was refused.
	ErrBadCredentials = errors.New("session: e-mail or password not accepted")
	// ErrNameTaken: the device name is already used on the account.
	ErrNameTaken = errors.New("session: device name already taken")
	// ErrSessionInvalid: the stored secret or device id is no longer
	// accepted; the user must log in again.
	ErrSessionInvalid = errors.New("session: login no longer valid")
	// ErrRateLimited: the server refused for quota reasons (HTTP 429).
	ErrRateLimited = errors.New("session: rate limited")
	// ErrInvalidRequest: the server (or the local check before sending)
	// refused the request's content; repeating it unchanged will not help.
	ErrInvalidRequest = errors.New("session: request refused")
	// ErrServer: the server had temporary trouble (HTTP 5xx); retrying
	// later may help.
	ErrServer = errors.New("session: server error")
	// ErrUnreachable: the server could not be reached or did not answer.
	ErrUnreachable = errors.New("session: server unreachable")
)

// TwoFactorError reports that login needs a (new) two-factor code.
type TwoFactorError struct {
	// CodeSent is true when a code was sent and refused.
	CodeSent bool
	Request  string // the server's request id, for support
}

func (e *TwoFactorError) Error() string {
	if e.CodeSent {
		return "session: the two-factor code was not accepted: enter the current code from your authenticator app and try again"
	}
	return "session: this account uses two-factor authentication: enter the current code from your authenticator app"
}

// Is matches ErrTwoFactorRequired.
func (e *TwoFactorError) Is(target error) bool { return target == ErrTwoFactorRequired }

// CredentialsError reports a refused e-mail address or password.
type CredentialsError struct {
	Status  int      // HTTP status
	Errors  []string // the server's explanation
	Request string
}

func (e *CredentialsError) Error() string {
	return "session: the server did not accept this e-mail address and password" +
		serverSays(e.Errors) + ": check both (they are case-sensitive) and try again"
}

// Is matches ErrBadCredentials.
func (e *CredentialsError) Is(target error) bool { return target == ErrBadCredentials }

// NameTakenError reports that a device name is already used on the account.
type NameTakenError struct {
	Name       string // the refused name
	Suggestion string // a variant to try next (see NextDeviceName)
	Request    string
}

func (e *NameTakenError) Error() string {
	return fmt.Sprintf("session: the device name %q is already taken on this account: try %q, "+
		"or delete the old device on the Pushover website to reuse the name", e.Name, e.Suggestion)
}

// Is matches ErrNameTaken.
func (e *NameTakenError) Is(target error) bool { return target == ErrNameTaken }

// SessionError reports that the server no longer accepts the stored login.
type SessionError struct {
	Status  int
	Errors  []string
	Request string
}

func (e *SessionError) Error() string {
	return "session: the server no longer accepts this device's login" + serverSays(e.Errors) +
		": log in again with `pobox login`"
}

// Is matches ErrSessionInvalid.
func (e *SessionError) Is(target error) bool { return target == ErrSessionInvalid }

// RateLimitError reports HTTP 429. Reset is when the allowance renews, from
// the X-Limit-App-Reset header (zero when the server did not say).
type RateLimitError struct {
	Reset   time.Time
	Errors  []string
	Request string
}

func (e *RateLimitError) Error() string {
	when := "later"
	if !e.Reset.IsZero() {
		when = "after " + e.Reset.Local().Format("2006-01-02 15:04 MST")
	}
	return "session: the server refused because a message limit is used up" + serverSays(e.Errors) +
		": try again " + when
}

// Is matches ErrRateLimited.
func (e *RateLimitError) Is(target error) bool { return target == ErrRateLimited }

// RequestError reports a request the server refused (a 4xx that is not one
// of the classes above). Errors is the server's text; Fields lists the
// parameters it named as invalid.
type RequestError struct {
	Status  int
	Errors  []string
	Fields  []string
	Request string
}

func (e *RequestError) Error() string {
	msg := fmt.Sprintf("session: the server refused the request (HTTP %d)", e.Status)
	if len(e.Errors) > 0 {
		msg += ": " + strings.Join(e.Errors, "; ")
	} else if len(e.Fields) > 0 {
		msg += ": invalid " + strings.Join(e.Fields, ", ")
	}
	return msg + " (fix the request: repeating it unchanged will not help)"
}

// Is matches ErrInvalidRequest.
func (e *RequestError) Is(target error) bool { return target == ErrInvalidRequest }

// LimitError reports a request refused before sending because a value
// breaks one of Pushover's limits; Field names the parameter.
type LimitError struct {
	Field string
	Msg   string // says the limit, e.g. "is 1100 characters; the limit is 1024"
}

func (e *LimitError) Error() string { return "session: " + e.Field + " " + e.Msg }

// Is matches ErrInvalidRequest.
func (e *LimitError) Is(target error) bool { return target == ErrInvalidRequest }

// ServerError reports temporary server trouble (HTTP 5xx, or a reply that
// is not Pushover's JSON). Retrying later may help.
type ServerError struct {
	Status  int
	Detail  string
	Request string
}

func (e *ServerError) Error() string {
	msg := fmt.Sprintf("session: the server had trouble (HTTP %d)", e.Status)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	return msg + ": try again in a few minutes"
}

// Is matches ErrServer.
func (e *ServerError) Is(target error) bool { return target == ErrServer }

// Temporary reports that retrying may help.
func (e *ServerError) Temporary() bool { return true }

// NetworkError reports that the server could not be reached or did not
// answer in time. Err is the cause with every secret removed.
type NetworkError struct {
	Host string
	Err  error
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("session: cannot reach %s: %v: check the network connection and try again", e.Host, e.Err)
}

// Is matches ErrUnreachable.
func (e *NetworkError) Is(target error) bool { return target == ErrUnreachable }

// Unwrap returns the redacted cause.
func (e *NetworkError) Unwrap() error { return e.Err }

// Temporary reports that retrying may help.
func (e *NetworkError) Temporary() bool { return true }

func serverSays(errs []string) string {
	if len(errs) == 0 {
		return ""
	}
	return " (server says: " + strings.Join(errs, "; ") + ")"
}
