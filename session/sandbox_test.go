package session_test

// Integration tests: the real client against the sandbox on loopback.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"pobox/sandbox"
	"pobox/session"
)

const (
	email    = "me@example.com"
	password = "correct-horse-battery"
	twofa    = "271828"
)

// env is one sandbox with an account, an app and a client.
type env struct {
	srv    *sandbox.Server
	c      *session.Client
	user   string
	token  string
	logBuf *syncBuffer
	// leaks lists every credential the test used; check() asserts none of
	// them shows in an error or the client's log.
	leaks []string
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newEnv(t *testing.T, opts sandbox.Options, copts session.Options) *env {
	t.Helper()
	if opts.FirstID == 0 {
		opts.FirstID = 1<<53 + 1 // a float64 decoder would lose these ids
	}
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	e := &env{srv: srv, logBuf: &syncBuffer{}}
	e.user = srv.AddAccount(sandbox.Account{Email: email, Password: password})
	srv.AddAccount(sandbox.Account{Email: "2fa@example.com", Password: password, TwoFA: twofa})
	e.token = srv.AddApp("Backups")
	if copts.Retry == (session.Backoff{}) {
		copts.Retry = session.Backoff{Attempts: 4, Base: time.Millisecond, Max: 5 * time.Millisecond}
	}
	copts.Version = "test"
	copts.Logger = slog.New(slog.NewTextHandler(e.logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	if e.c, err = session.New(srv.APIURL(), copts); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.c.CloseIdleConnections)
	e.leaks = []string{password, twofa, e.token}
	t.Cleanup(func() { e.checkLog(t) })
	return e
}

// login logs in and registers a device; it returns the secret and device id.
func (e *env) login(t *testing.T, name string) (session.Secret, string) {
	t.Helper()
	ctx := context.Background()
	res, err := e.c.Login(ctx, email, password, "")
	if err != nil {
		t.Fatal(err)
	}
	if res.UserKey != e.user {
		t.Fatalf("user key %q, want %q", res.UserKey, e.user)
	}
	e.leaks = append(e.leaks, res.Secret.Reveal())
	id, err := e.c.RegisterDevice(ctx, res.Secret, name)
	if err != nil {
		t.Fatal(err)
	}
	return res.Secret, id
}

// is asserts that err matches want and carries no credential.
func (e *env) is(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("err %v, want %v", err, want)
	}
	for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		for _, s := range e.leaks {
			if strings.Contains(text, s) {
				t.Fatalf("credential %q leaked in %q", s, text)
			}
		}
	}
}

func (e *env) checkLog(t *testing.T) {
	log := e.logBuf.String()
	for _, s := range e.leaks {
		if strings.Contains(log, s) {
			t.Errorf("credential %q leaked in the client log", s)
		}
	}
}

func (e *env) send(t *testing.T, r session.SendRequest) session.SendResult {
	t.Helper()
	r.Token, r.User = e.token, e.user
	res, err := e.c.Send(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSandboxDownloadDelete(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, session.Options{})
	ctx := context.Background()
	secret, dev := e.login(t, "laptop")
	msgs, err := e.c.Download(ctx, secret, dev)
	if err != nil || len(msgs) != 0 {
		t.Fatalf("empty queue: %v, %v", msgs, err)
	}
	e.send(t, session.SendRequest{Message: "no title"})
	e.send(t, session.SendRequest{Message: "<b>bold</b>", Title: "T", HTML: true, URL: "https://x.example/", URLTitle: "X", Sound: "siren", Priority: 1})
	e.send(t, session.SendRequest{Message: "fixed", Monospace: true, Timestamp: 1700000000})
	msgs, err = e.c.Download(ctx, secret, dev)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 3 {
		t.Fatalf("%d messages, want 3", len(msgs))
	}
	first := int64(1<<53 + 1)
	for i, m := range msgs {
		if m.ID != first+int64(i) {
			t.Errorf("message %d: id %d, want %d (exact above 2^53)", i, m.ID, first+int64(i))
		}
		if m.App != "Backups" || m.UMID == 0 || m.AID == 0 || m.Date.IsZero() {
			t.Errorf("message %d: %+v", i, m)
		}
	}
	if msgs[0].Title != "Backups" {
		t.Errorf("missing title shown as %q, want the app name", msgs[0].Title)
	}
	if m := msgs[1]; m.Title != "T" || !m.HTML || m.URL != "https://x.example/" || m.URLTitle != "X" || m.Sound != "siren" || m.Priority != 1 {
		t.Errorf("fields lost: %+v", m)
	}
	if m := msgs[2]; !m.Monospace || m.Date.Unix() != 1700000000 {
		t.Errorf("monospace/timestamp lost: %+v", m)
	}
	if err := e.c.DeleteUpTo(ctx, secret, dev, msgs[1].ID); err != nil {
		t.Fatal(err)
	}
	d, _ := e.srv.Device(dev)
	if d.HighestDeleted != msgs[1].ID || len(d.Queue) != 1 {
		t.Errorf("server: highest deleted %d, queue %d; want %d, 1", d.HighestDeleted, len(d.Queue), msgs[1].ID)
	}
	if msgs, err = e.c.Download(ctx, secret, dev); err != nil || len(msgs) != 1 || msgs[0].Message != "fixed" {
		t.Errorf("after delete: %+v, %v", msgs, err)
	}
}

func TestSandboxTwoFactor(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, session.Options{})
	ctx := context.Background()
	_, err := e.c.Login(ctx, "2fa@example.com", password, "")
	e.is(t, err, session.ErrTwoFactorRequired)
	var tf *session.TwoFactorError
	if !errors.As(err, &tf) || tf.CodeSent {
		t.Errorf("no code: %#v", err)
	}
	_, err = e.c.Login(ctx, "2fa@example.com", password, "000000")
	if !errors.As(err, &tf) || !tf.CodeSent {
		t.Errorf("wrong code: %#v", err)
	}
	e.is(t, err, session.ErrTwoFactorRequired)
	res, err := e.c.Login(ctx, "2fa@example.com", password, twofa)
	if err != nil || res.Secret == "" {
		t.Fatalf("with the code: %v", err)
	}
	e.leaks = append(e.leaks, res.Secret.Reveal())
	_, err = e.c.Login(ctx, "2fa@example.com", "wrong password", twofa)
	e.is(t, err, session.ErrBadCredentials)
}

func TestSandboxBadCredentials(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, session.Options{})
	for _, c := range [][2]string{{email, "nope"}, {"nobody@example.com", password}, {strings.ToUpper(email), password}} {
		_, err := e.c.Login(context.Background(), c[0], c[1], "")
		e.is(t, err, session.ErrBadCredentials)
	}
}

func TestSandboxNameTaken(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, session.Options{})
	ctx := context.Background()
	secret, _ := e.login(t, "laptop")
	_, err := e.c.RegisterDevice(ctx, secret, "laptop")
	e.is(t, err, session.ErrNameTaken)
	var nt *session.NameTakenError
	if !errors.As(err, &nt) || nt.Suggestion != "laptop-2" {
		t.Fatalf("err %#v", err)
	}
	if _, err := e.c.RegisterDevice(ctx, secret, nt.Suggestion); err != nil {
		t.Errorf("the suggested name: %v", err)
	}
	_, err = e.c.RegisterDevice(ctx, secret, "laptop-2")
	if !errors.As(err, &nt) || nt.Suggestion != "laptop-3" {
		t.Errorf("second suggestion: %v", err)
	}
}

func TestSandboxSessionInvalid(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, session.Options{})
	ctx := context.Background()
	secret, dev := e.login(t, "laptop")
	_, err := e.c.Download(ctx, secret, "no-such-device")
	e.is(t, err, session.ErrSessionInvalid)
	e.srv.RevokeSecrets(e.user)
	_, err = e.c.Download(ctx, secret, dev)
	e.is(t, err, session.ErrSessionInvalid)
	e.is(t, e.c.DeleteUpTo(ctx, secret, dev, 1), session.ErrSessionInvalid)
	_, err = e.c.RegisterDevice(ctx, secret, "other")
	e.is(t, err, session.ErrSessionInvalid)
	if !strings.Contains(err.Error(), "pobox login") {
		t.Errorf("message %q does not say to log in again", err)
	}
}

func TestSandboxEmergency(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, session.Options{})
	ctx := context.Background()
	secret, dev := e.login(t, "laptop")
	res := e.send(t, session.SendRequest{Message: "disk full", Priority: 2, Retry: 60, Expire: 3600})
	if len(res.Receipt) != 30 || res.Request == "" || res.Limit == 0 || res.Reset.IsZero() {
		t.Fatalf("send result %+v", res)
	}
	msgs, err := e.c.Download(ctx, secret, dev)
	if err != nil || len(msgs) != 1 || msgs[0].Receipt != res.Receipt || msgs[0].Acked {
		t.Fatalf("download %+v, %v", msgs, err)
	}
	rc, err := e.c.ReceiptStatus(ctx, e.token, res.Receipt)
	if err != nil || rc.Acknowledged || rc.ExpiresAt.IsZero() {
		t.Fatalf("receipt before ack %+v, %v", rc, err)
	}
	if err := e.c.Acknowledge(ctx, secret, res.Receipt); err != nil {
		t.Fatal(err)
	}
	rc, err = e.c.ReceiptStatus(ctx, e.token, res.Receipt)
	if err != nil || !rc.Acknowledged || rc.AcknowledgedBy != e.user || rc.AcknowledgedByDevice != "laptop" {
		t.Fatalf("receipt after ack %+v, %v", rc, err)
	}
	if msgs, _ = e.c.Download(ctx, secret, dev); len(msgs) != 1 || !msgs[0].Acked {
		t.Errorf("acked flag not downloaded: %+v", msgs)
	}
	res2 := e.send(t, session.SendRequest{Message: "again", Priority: 2, Retry: 30, Expire: 60})
	if err := e.c.CancelReceipt(ctx, e.token, res2.Receipt); err != nil {
		t.Fatal(err)
	}
	_, err = e.c.ReceiptStatus(ctx, e.token, "abcdefghijabcdefghijabcdefghij")
	e.is(t, err, session.ErrInvalidRequest)
}

func TestSandboxPublisherErrors(t *testing.T) {
	e := newEnv(t, sandbox.Options{AppLimit: 2}, session.Options{})
	ctx := context.Background()
	// A well-formed key the server does not know: refused with its text.
	_, err := e.c.Send(ctx, session.SendRequest{Token: e.token, User: "uQiRzpo4DXghDmr9QzzfQu27cmVRsG", Message: "x"})
	e.is(t, err, session.ErrInvalidRequest)
	var re *session.RequestError
	if !errors.As(err, &re) || len(re.Errors) == 0 || !strings.Contains(err.Error(), re.Errors[0]) {
		t.Errorf("err %#v lacks the server's text", err)
	}
	e.send(t, session.SendRequest{Message: "1"})
	e.send(t, session.SendRequest{Message: "2"})
	_, err = e.c.Send(ctx, session.SendRequest{Token: e.token, User: e.user, Message: "3"})
	e.is(t, err, session.ErrRateLimited)
	var rl *session.RateLimitError
	if !errors.As(err, &rl) || !rl.Reset.After(time.Now()) {
		t.Errorf("429 without a future reset time: %#v", err)
	}
}

// TestSandboxAttachment: the image arrives byte for byte, as a multipart
// file and as attachment_base64, with its type.
func TestSandboxAttachment(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, session.Options{})
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	for _, b64 := range []bool{false, true} {
		e.send(t, session.SendRequest{Message: "photo", AttachmentBase64: b64,
			Attachment: &session.Attachment{Name: "p.png", Type: "image/png", Data: b.Bytes()}})
	}
	got := e.srv.Attachments()
	if len(got) != 2 {
		t.Fatalf("the sandbox received %d attachments, want 2", len(got))
	}
	for i, a := range got {
		if !bytes.Equal(a.Data, b.Bytes()) || a.Type != "image/png" || a.Base64 != (i == 1) {
			t.Errorf("attachment %d: %d bytes, type %q, base64 %v; want the %d-byte PNG, image/png, %v",
				i, len(a.Data), a.Type, a.Base64, b.Len(), i == 1)
		}
	}
}

func countRequests(srv *sandbox.Server, method, path string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == method && strings.HasPrefix(r.Path, path) {
			n++
		}
	}
	return n
}

func TestSandboxRetries(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, session.Options{})
	ctx := context.Background()
	secret, dev := e.login(t, "laptop")
	deletePath := "/1/devices/" + dev + "/update_highest_message.json"

	e.srv.FailNext("GET /1/messages.json", 2, 503)
	if _, err := e.c.Download(ctx, secret, dev); err != nil {
		t.Fatalf("two 503s then success: %v", err)
	}
	if n := countRequests(e.srv, "GET", "/1/messages.json"); n != 3 {
		t.Errorf("%d download requests, want 3", n)
	}

	e.srv.FailNext(deletePath, 10, 500)
	e.is(t, e.c.DeleteUpTo(ctx, secret, dev, 1), session.ErrServer)
	if n := countRequests(e.srv, "POST", deletePath); n != 4 {
		t.Errorf("%d delete requests, want the bound of 4", n)
	}
	e.srv.FailNext(deletePath, 0, 0)

	e.srv.FailNext("/1/receipts/{receipt}/acknowledge.json", 5, 400)
	e.is(t, e.c.Acknowledge(ctx, secret, "abcdefghijabcdefghijabcdefghij"), session.ErrInvalidRequest)
	if n := countRequests(e.srv, "POST", "/1/receipts/"); n != 1 {
		t.Errorf("%d acknowledge requests after a 400, want 1 (4xx is never retried)", n)
	}

	e.srv.FailNext("POST /1/messages.json", 1, 503)
	_, err := e.c.Send(ctx, session.SendRequest{Token: e.token, User: e.user, Message: "x"})
	e.is(t, err, session.ErrServer)
	if n := countRequests(e.srv, "POST", "/1/messages.json"); n != 1 {
		t.Errorf("%d send requests, want 1 (a send is never retried)", n)
	}
}

func TestSandboxTimeoutRetried(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, session.Options{})
	ctx := context.Background()
	// Logging in is not what is timed: the short timeout is only the
	// downloads' (a loaded machine may take longer than it to log in).
	secret, dev := e.login(t, "laptop")
	c, err := session.New(e.srv.APIURL(), session.Options{Version: "test", Timeout: 200 * time.Millisecond,
		Retry: session.Backoff{Attempts: 4, Base: time.Millisecond, Max: 5 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	e.srv.HangNext("GET /1/messages.json", 1, time.Minute)
	if _, err := c.Download(ctx, secret, dev); err != nil {
		t.Fatalf("a hung request then success: %v", err)
	}
	e.srv.HangNext("GET /1/messages.json", 10, time.Minute)
	_, err = c.Download(ctx, secret, dev)
	e.is(t, err, session.ErrUnreachable)
	e.is(t, err, context.DeadlineExceeded)
	e.srv.HangNext("GET /1/messages.json", 0, 0)
}

func TestSandboxUnreachable(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, session.Options{})
	ctx := context.Background()
	secret, dev := e.login(t, "laptop")
	e.srv.Close()
	_, err := e.c.Download(ctx, secret, dev)
	e.is(t, err, session.ErrUnreachable)
	e.is(t, e.c.Acknowledge(ctx, secret, "abcdefghijabcdefghijabcdefghij"), session.ErrUnreachable)
	_, err = e.c.Login(ctx, email, password, "")
	e.is(t, err, session.ErrUnreachable)
	_, err = e.c.ReceiptStatus(ctx, e.token, "abcdefghijabcdefghijabcdefghij")
	e.is(t, err, session.ErrUnreachable)
	if !strings.Contains(err.Error(), "127.0.0.1") {
		t.Errorf("message %q does not name the server", err)
	}
}
