package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxReply bounds a reply body; a device queue of many messages stays far
// below it.
const maxReply = 32 << 20

// call describes one REST request.
type call struct {
	op      string // for messages: "log in", "download messages", ...
	method  string
	path    string     // "/1/users/login.json"
	query   url.Values // GET parameters
	form    url.Values // POST form body (used when body is nil)
	body    []byte     // a prepared body (multipart)
	ctype   string     // content type of body
	retry   bool       // safe to repeat: network errors and 5xx are retried
	secrets scrubber   // values that must never leave the package
	// refuse maps a 4xx (other than 429) to the endpoint's typed error;
	// nil means a RequestError.
	refuse func(status int, r reply) error
	// stream, when set, reads a 2xx reply as it arrives (downloads of any
	// size) instead of reading it whole into memory first. The attempt's
	// timeout then bounds a stall (no bytes for that long), not the
	// length of the reply: a huge queue or a slow link finishes.
	stream func(body io.Reader) (reply, error)
	// delivered, when set, reports whether the stream handed anything to
	// its caller: such an attempt is not repeated (the caller keeps what
	// it got, and a repeat would hand it over again).
	delivered func() bool
}

// response is a decoded success.
type response struct {
	reply
	header http.Header
}

// do performs c, retrying when c.retry allows it, and decodes a successful
// JSON reply into out (which may be nil).
func (cl *Client) do(ctx context.Context, c call, out any) (response, error) {
	attempts := 1
	if c.retry {
		attempts = cl.retry.Attempts
	}
	var err error
	for i := 0; ; i++ {
		var resp response
		resp, err = cl.once(ctx, c, out)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return response{}, fmt.Errorf("session: %s: %w", c.op, ctx.Err())
		}
		if i+1 >= attempts || !retryable(err) || (c.delivered != nil && c.delivered()) {
			return response{}, err
		}
		t := time.NewTimer(cl.backoff(i))
		select {
		case <-ctx.Done():
			t.Stop()
			return response{}, fmt.Errorf("session: %s: %w (after: %v)", c.op, ctx.Err(), err)
		case <-t.C:
		}
	}
}

// retryable is true for network errors and 5xx, never for a 4xx.
func retryable(err error) bool {
	return errors.Is(err, ErrUnreachable) || errors.Is(err, ErrServer)
}

// backoff returns the wait before retry i+1: Base*2^i, plus 0-50% jitter,
// at most Max.
func (cl *Client) backoff(i int) time.Duration {
	d := cl.retry.Base
	for ; i > 0 && d < cl.retry.Max; i-- {
		d *= 2
	}
	d += time.Duration(rand.Float64() * 0.5 * float64(d))
	return min(d, cl.retry.Max)
}

// once performs one attempt.
func (cl *Client) once(ctx context.Context, c call, out any) (response, error) {
	actx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The timeout runs until the reply's headers arrive, then (for a
	// stream) while each read of the body waits for bytes.
	watch := newStallWatch(cl.timeout, cancel)
	defer watch.stop()
	watch.arm()
	req, err := cl.newRequest(actx, c)
	if err != nil {
		return response{}, err
	}
	start := time.Now()
	hr, err := cl.hc.Do(req)
	if err != nil {
		cause := redactCause(err, c.secrets)
		if watch.fired() && ctx.Err() == nil {
			cause = fmt.Errorf("no answer within %v: %w", cl.timeout, context.DeadlineExceeded)
		}
		cl.logf(c, req.URL.String(), 0, start, cause)
		return response{}, &NetworkError{Host: cl.host, Err: cause}
	}
	defer hr.Body.Close()
	if c.stream != nil && hr.StatusCode >= 200 && hr.StatusCode < 300 {
		watch.disarm()
		r, err := c.stream(watch.reader(hr.Body))
		if err != nil && watch.fired() && ctx.Err() == nil {
			err = fmt.Errorf("the download stalled: no data for %v: %w", cl.timeout, context.DeadlineExceeded)
		}
		resp, err := cl.streamed(c, hr, r, err)
		cl.logf(c, req.URL.String(), hr.StatusCode, start, err)
		return resp, err
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, maxReply+1))
	if err != nil {
		cause := redactCause(err, c.secrets)
		cl.logf(c, req.URL.String(), hr.StatusCode, start, cause)
		return response{}, &NetworkError{Host: cl.host, Err: fmt.Errorf("reply cut off: %w", cause)}
	}
	cl.logf(c, req.URL.String(), hr.StatusCode, start, nil)
	if len(body) > maxReply {
		return response{}, &ServerError{Status: hr.StatusCode, Detail: "the reply is too large"}
	}
	return cl.interpret(c, hr, body, out)
}

func (cl *Client) newRequest(ctx context.Context, c call) (*http.Request, error) {
	u := cl.base + c.path
	if len(c.query) > 0 {
		u += "?" + c.query.Encode()
	}
	var body io.Reader
	ctype := c.ctype
	switch {
	case c.body != nil:
		body = bytes.NewReader(c.body)
	case c.method == http.MethodPost:
		body = strings.NewReader(c.form.Encode())
		ctype = "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u, body)
	if err != nil {
		// Only a malformed path can fail here; its text holds no secret
		// but the URL might, so do not quote it.
		return nil, fmt.Errorf("session: %s: cannot build the request", c.op)
	}
	req.Header.Set("User-Agent", cl.ua)
	req.Header.Set("Accept", "application/json")
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return req, nil
}

// interpret maps an HTTP reply to a result or a typed error.
func (cl *Client) interpret(c call, hr *http.Response, body []byte, out any) (response, error) {
	st := hr.StatusCode
	r, derr := decodeReply(body)
	r.Errors.Msgs = c.secrets.list(r.Errors.Msgs)
	r.Request = c.secrets.text(r.Request)
	switch {
	case st == http.StatusTooManyRequests:
		return response{}, &RateLimitError{Reset: resetTime(hr.Header), Errors: r.Errors.Msgs, Request: r.Request}
	case st >= 500:
		return response{}, &ServerError{Status: st, Detail: strings.Join(r.Errors.Msgs, "; "), Request: r.Request}
	case st >= 300 && st < 400:
		return response{}, &RequestError{Status: st, Errors: []string{
			"the server answered with a redirect, which pobox does not follow: check the API URL"}}
	case st >= 400:
		if c.refuse != nil {
			return response{}, c.refuse(st, r)
		}
		return response{}, requestError(st, r)
	case st < 200:
		return response{}, &ServerError{Status: st, Detail: "unexpected reply"}
	}
	if derr != nil {
		return response{}, &ServerError{Status: st, Detail: "the reply is not Pushover's JSON"}
	}
	if r.Status != 1 {
		// A 2xx that says failure: treat it like the endpoint's 4xx.
		if c.refuse != nil {
			return response{}, c.refuse(st, r)
		}
		return response{}, requestError(st, r)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			return response{}, &ServerError{Status: st, Detail: "the reply does not have the expected fields: " + c.secrets.text(cleanText(err.Error()))}
		}
	}
	return response{reply: r, header: hr.Header}, nil
}

// streamed maps the outcome of a streamed 2xx reply to a result or a typed
// error, as interpret does for a reply read whole.
func (cl *Client) streamed(c call, hr *http.Response, r reply, err error) (response, error) {
	st := hr.StatusCode
	var ce *callerError
	switch {
	case errors.As(err, &ce):
		return response{}, redactCause(ce.err, c.secrets) // the caller's own failure: not retried
	case errors.Is(err, errMalformed):
		return response{}, &ServerError{Status: st, Detail: c.secrets.text(cleanText(err.Error()))}
	case err != nil:
		return response{}, &NetworkError{Host: cl.host, Err: fmt.Errorf("reply cut off: %w", redactCause(err, c.secrets))}
	}
	r.Errors.Msgs = c.secrets.list(r.Errors.Msgs)
	r.Request = c.secrets.text(r.Request)
	if r.Status != 1 {
		if c.refuse != nil {
			return response{}, c.refuse(st, r)
		}
		return response{}, requestError(st, r)
	}
	return response{reply: r, header: hr.Header}, nil
}

func requestError(st int, r reply) *RequestError {
	return &RequestError{Status: st, Errors: r.Errors.Msgs, Fields: r.invalid, Request: r.Request}
}

// resetTime reads X-Limit-App-Reset (Unix seconds); zero if absent.
func resetTime(h http.Header) time.Time {
	v, err := strconv.ParseInt(strings.TrimSpace(h.Get("X-Limit-App-Reset")), 10, 64)
	if err != nil || v <= 0 {
		return time.Time{}
	}
	return time.Unix(v, 0)
}

func (cl *Client) logf(c call, rawURL string, status int, start time.Time, err error) {
	if cl.log == nil {
		return
	}
	args := []any{"op", c.op, "method", c.method, "url", RedactURL(rawURL), "status", status,
		"ms", time.Since(start).Milliseconds()}
	if err != nil {
		args = append(args, "err", err.Error())
	}
	cl.log.Debug("pushover request", args...)
}
