package session

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Login is the result of a successful log-in.
type Login struct {
	UserKey string
	Secret  Secret
}

// Login logs in with an e-mail address and password, plus the two-factor
// code when the account needs one (empty otherwise). A 2FA account without
// a valid code gives a *TwoFactorError (ErrTwoFactorRequired); a refused
// e-mail or password a *CredentialsError (ErrBadCredentials).
func (c *Client) Login(ctx context.Context, email, password, twofa string) (Login, error) {
	form := url.Values{"email": {email}, "password": {password}}
	if twofa != "" {
		form.Set("twofa", twofa)
	}
	var out struct {
		ID     flexString `json:"id"`
		Secret flexString `json:"secret"`
	}
	_, err := c.do(ctx, call{
		op: "log in", method: http.MethodPost, path: "/1/users/login.json", form: form,
		secrets: scrubber{password, twofa, email},
		refuse: func(st int, r reply) error {
			if st == http.StatusPreconditionFailed {
				return &TwoFactorError{CodeSent: twofa != "", Request: r.Request}
			}
			return &CredentialsError{Status: st, Errors: r.Errors.Msgs, Request: r.Request}
		},
	}, &out)
	if err != nil {
		return Login{}, err
	}
	if out.ID == "" || out.Secret == "" {
		return Login{}, &ServerError{Status: http.StatusOK, Detail: "the login reply has no user key or secret"}
	}
	return Login{UserKey: string(out.ID), Secret: Secret(out.Secret)}, nil
}

// RegisterDevice registers this client as an Open Client device (os=O)
// named name and returns its device id. The name is checked locally first
// (a *LimitError); a name already used gives a *NameTakenError with a
// variant to try.
func (c *Client) RegisterDevice(ctx context.Context, secret Secret, name string) (string, error) {
	if err := CheckDeviceName(name); err != nil {
		return "", err
	}
	var out struct {
		ID flexString `json:"id"`
	}
	_, err := c.do(ctx, call{
		op: "register the device", method: http.MethodPost, path: "/1/devices.json",
		form:    url.Values{"secret": {secret.Reveal()}, "name": {name}, "os": {"O"}},
		secrets: scrubber{secret.Reveal()},
		refuse: func(st int, r reply) error {
			if taken(r.Errors.Fields["name"]) {
				return &NameTakenError{Name: name, Suggestion: NextDeviceName(name), Request: r.Request}
			}
			if sessionRefused(st, r) {
				return &SessionError{Status: st, Errors: r.Errors.Msgs, Request: r.Request}
			}
			return requestError(st, r)
		},
	}, &out)
	if err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", &ServerError{Status: http.StatusOK, Detail: "the registration reply has no device id"}
	}
	return string(out.ID), nil
}

func taken(msgs []string) bool {
	for _, m := range msgs {
		if strings.Contains(strings.ToLower(m), "taken") {
			return true
		}
	}
	return false
}

// sessionRefused reports whether a 4xx is about the secret or device, which
// only a new login can fix.
func sessionRefused(st int, r reply) bool {
	if st == http.StatusUnauthorized || st == http.StatusForbidden {
		return true
	}
	for k := range r.Errors.Fields {
		if k == "secret" || k == "device" || k == "device_id" {
			return true
		}
	}
	// Plain "device" is not enough: "too many devices" is not about the
	// login.
	for _, m := range append(r.Errors.Msgs, r.invalid...) {
		m = strings.ToLower(m)
		for _, w := range []string{"secret", "device_id", "device id", "login", "log in"} {
			if strings.Contains(m, w) {
				return true
			}
		}
	}
	return false
}

// Download returns every message queued for the device, in ascending id
// order. Downloading removes nothing: see DeleteUpTo. Network errors and
// 5xx are retried; a refused secret or device gives a *SessionError.
func (c *Client) Download(ctx context.Context, secret Secret, deviceID string) ([]Message, error) {
	var msgs []Message
	err := c.DownloadEach(ctx, secret, deviceID, 1000, func(batch []Message) error {
		msgs = append(msgs, batch...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].ID < msgs[j].ID })
	return msgs, nil
}

// DownloadEach downloads the device's queue like Download, but decodes it
// as it arrives and calls fn with batches of at most n messages (in the
// server's order), so that a queue of any size needs the memory of one
// batch. An error from fn ends the download and is returned as is. An
// attempt that fails before fn saw anything is retried; one that fails
// later is not (the caller keeps what it stored, deletes up to it, and the
// next download starts there). The timeout bounds a stall, not the length
// of the download.
func (c *Client) DownloadEach(ctx context.Context, secret Secret, deviceID string, n int, fn func([]Message) error) error {
	if n <= 0 {
		n = 1000
	}
	delivered := false
	_, err := c.do(ctx, call{
		op: "download messages", method: http.MethodGet, path: "/1/messages.json",
		query:   url.Values{"secret": {secret.Reveal()}, "device_id": {deviceID}},
		retry:   true,
		secrets: scrubber{secret.Reveal()},
		// The only parameters are the secret and the device: any refusal
		// means the login is gone.
		refuse: func(st int, r reply) error {
			return &SessionError{Status: st, Errors: r.Errors.Msgs, Request: r.Request}
		},
		stream: func(body io.Reader) (reply, error) {
			return decodeMessages(body, n, func(batch []Message) error {
				delivered = true
				return fn(batch)
			})
		},
		delivered: func() bool { return delivered },
	}, nil)
	return err
}

// DeleteUpTo deletes on the server every message of the device whose id is
// at most id. Safe to repeat, so network errors and 5xx are retried.
func (c *Client) DeleteUpTo(ctx context.Context, secret Secret, deviceID string, id int64) error {
	_, err := c.do(ctx, call{
		op: "delete messages", method: http.MethodPost,
		path:    "/1/devices/" + url.PathEscape(deviceID) + "/update_highest_message.json",
		form:    url.Values{"secret": {secret.Reveal()}, "message": {strconv.FormatInt(id, 10)}},
		retry:   true,
		secrets: scrubber{secret.Reveal()},
		refuse: func(st int, r reply) error {
			// The device id is in the path: 404 means the device is gone.
			if st == http.StatusNotFound || sessionRefused(st, r) {
				return &SessionError{Status: st, Errors: r.Errors.Msgs, Request: r.Request}
			}
			return requestError(st, r)
		},
	}, nil)
	return err
}

// Acknowledge acknowledges the emergency with this receipt for the whole
// account. Safe to repeat, so network errors and 5xx are retried.
func (c *Client) Acknowledge(ctx context.Context, secret Secret, receipt string) error {
	_, err := c.do(ctx, call{
		op: "acknowledge", method: http.MethodPost,
		path:    "/1/receipts/" + url.PathEscape(receipt) + "/acknowledge.json",
		form:    url.Values{"secret": {secret.Reveal()}},
		retry:   true,
		secrets: scrubber{secret.Reveal()},
		refuse: func(st int, r reply) error {
			// 404 here is about the receipt (unknown or expired), not the
			// login: the caller may treat it as done.
			if st != http.StatusNotFound && sessionRefused(st, r) {
				return &SessionError{Status: st, Errors: r.Errors.Msgs, Request: r.Request}
			}
			return requestError(st, r)
		},
	}, nil)
	return err
}
