package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testSecret is long and distinctive so that a leak is easy to find.
const testSecret = Secret("SGx2Su5onMcXU2EVozWG41Fws42bHo0aOrmA3tQ3jjRMSu1HwMEmOWNWPD7J")

const (
	testToken = "azGDORePK8gMaC0QOYAMyEEuzJnyUi"
	testUser  = "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"
)

// fastRetry keeps retry tests quick while exercising the real backoff.
var fastRetry = Backoff{Attempts: 4, Base: time.Millisecond, Max: 4 * time.Millisecond}

func newTestClient(t testing.TB, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(srv.URL, Options{Version: "test", Retry: fastRetry, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		raw string
		ws  bool
		ok  bool
	}{
		{"https://api.pushover.net", false, true},
		{"https://api.pushover.net/", false, true},
		{"https://example.com:8443/prefix", false, true},
		{"http://127.0.0.1:8080", false, true},
		{"http://127.9.9.9", false, true},
		{"http://localhost:1234", false, true},
		{"http://[::1]:80", false, true},
		{"http://api.pushover.net", false, false},
		{"http://10.0.0.1", false, false},
		{"http://[::ffff:10.0.0.1]", false, false},
		{"http://localhost.evil.com", false, false},
		{"ftp://127.0.0.1", false, false},
		{"api.pushover.net", false, false},
		{"", false, false},
		{"https://user:pw@api.pushover.net", false, false},
		{"https://api.pushover.net/?secret=x", false, false},
		{"wss://client.pushover.net/push", true, true},
		{"ws://127.0.0.1:9/push", true, true},
		{"ws://client.pushover.net/push", true, false},
		{"https://client.pushover.net/push", true, false},
	}
	for _, tt := range tests {
		check := CheckAPIURL
		if tt.ws {
			check = CheckWSURL
		}
		err := check(tt.raw)
		if (err == nil) != tt.ok {
			t.Errorf("%q: err %v, want ok=%v", tt.raw, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInsecureURL) {
			t.Errorf("%q: %v is not ErrInsecureURL", tt.raw, err)
		}
		if err != nil && strings.Contains(err.Error(), "pw@") {
			t.Errorf("%q: error shows the password: %v", tt.raw, err)
		}
	}
	if _, err := New("http://example.com", Options{}); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("New(http://example.com) = %v, want a loopback explanation", err)
	}
}

func TestUserAgentAndForm(t *testing.T) {
	var ua, ctype, os, name string
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua, ctype = r.UserAgent(), r.Header.Get("Content-Type")
		os, name = r.FormValue("os"), r.FormValue("name")
		fmt.Fprint(w, `{"status":1,"request":"x","id":"dev123"}`)
	}))
	id, err := c.RegisterDevice(context.Background(), testSecret, "laptop")
	if err != nil || id != "dev123" {
		t.Fatalf("RegisterDevice = %q, %v", id, err)
	}
	if ua != "pobox/test" || ctype != "application/x-www-form-urlencoded" || os != "O" || name != "laptop" {
		t.Errorf("ua %q ctype %q os %q name %q", ua, ctype, os, name)
	}
}

func TestRegisterDeviceChecksNameLocally(t *testing.T) {
	var hits atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	for _, name := range []string{"", "has space", strings.Repeat("a", 26), "ünï"} {
		_, err := c.RegisterDevice(context.Background(), testSecret, name)
		var le *LimitError
		if !errors.As(err, &le) || !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%q: err %v, want a LimitError", name, err)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("%d requests reached the server", hits.Load())
	}
}

// answer writes a status and body.
func answer(status int, body string, hdr ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(hdr); i += 2 {
			w.Header().Set(hdr[i], hdr[i+1])
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// calls runs each client call once; the key names it in failures.
var calls = map[string]func(*Client, context.Context) error{
	"Login": func(c *Client, ctx context.Context) error {
		_, err := c.Login(ctx, "me@example.com", "hunter2-password", "")
		return err
	},
	"RegisterDevice": func(c *Client, ctx context.Context) error {
		_, err := c.RegisterDevice(ctx, testSecret, "laptop")
		return err
	},
	"Download": func(c *Client, ctx context.Context) error {
		_, err := c.Download(ctx, testSecret, "dev1")
		return err
	},
	"DeleteUpTo": func(c *Client, ctx context.Context) error {
		return c.DeleteUpTo(ctx, testSecret, "dev1", 5)
	},
	"Acknowledge": func(c *Client, ctx context.Context) error {
		return c.Acknowledge(ctx, testSecret, "rcpt")
	},
	"Send": func(c *Client, ctx context.Context) error {
		_, err := c.Send(ctx, SendRequest{Token: testToken, User: testUser, Message: "hi"})
		return err
	},
	"ReceiptStatus": func(c *Client, ctx context.Context) error {
		_, err := c.ReceiptStatus(ctx, testToken, "rcpt")
		return err
	},
	"CancelReceipt": func(c *Client, ctx context.Context) error {
		return c.CancelReceipt(ctx, testToken, "rcpt")
	},
}

func TestTypedErrors(t *testing.T) {
	tests := []struct {
		name    string
		call    string
		handler http.Handler
		want    error
	}{
		{"TwoFactor", "Login", answer(412, `{"status":0,"request":"r","errors":["two-factor code required"]}`), ErrTwoFactorRequired},
		{"BadCredentials", "Login", answer(400, `{"status":0,"request":"r","errors":["invalid email or password"]}`), ErrBadCredentials},
		{"NameTaken", "RegisterDevice", answer(400, `{"errors":{"name":["has already been taken"]},"status":0,"request":"b"}`), ErrNameTaken},
		{"RegisterBadSecret", "RegisterDevice", answer(400, `{"errors":{"secret":["is invalid"]},"status":0}`), ErrSessionInvalid},
		{"DownloadRefused", "Download", answer(400, `{"status":0,"errors":["secret is invalid"]}`), ErrSessionInvalid},
		{"DeleteDeviceGone", "DeleteUpTo", answer(404, `{"status":0,"errors":["device not found"]}`), ErrSessionInvalid},
		{"RegisterTooManyDevices", "RegisterDevice", answer(400, `{"errors":["too many devices on this account"],"status":0}`), ErrInvalidRequest},
		{"DownloadUnknownDevice", "Download", answer(400, `{"status":0,"errors":["device_id is invalid"]}`), ErrSessionInvalid},
		{"DeleteBadID", "DeleteUpTo", answer(400, `{"status":0,"errors":["message is invalid"]}`), ErrInvalidRequest},
		{"AckUnknownReceipt", "Acknowledge", answer(404, `{"status":0,"errors":["receipt not found"]}`), ErrInvalidRequest},
		{"AckBadSecret", "Acknowledge", answer(401, `{"status":0,"errors":["secret is invalid"]}`), ErrSessionInvalid},
		{"SendInvalid", "Send", answer(400, `{"user":"invalid","errors":["user identifier is invalid"],"status":0}`), ErrInvalidRequest},
		{"SendRateLimited", "Send", answer(429, `{"status":0,"errors":["quota exceeded"]}`, "X-Limit-App-Reset", "1393653600"), ErrRateLimited},
		{"Server", "Send", answer(503, `oops`), ErrServer},
		{"ServerDownload", "Download", answer(500, `{"status":0}`), ErrServer},
		{"NotJSON", "ReceiptStatus", answer(200, `<html>proxy</html>`), ErrServer},
		{"StatusZeroOn200", "CancelReceipt", answer(200, `{"status":0,"errors":["receipt not found"]}`), ErrInvalidRequest},
		{"Redirect", "Download", answer(302, ``, "Location", "http://evil.example/"), ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, tt.handler)
			err := calls[tt.call](c, context.Background())
			if !errors.Is(err, tt.want) {
				t.Fatalf("%s: err %v, want %v", tt.call, err, tt.want)
			}
			if !strings.Contains(err.Error(), ": ") || strings.Contains(err.Error(), "%!") {
				t.Errorf("message %q does not read well", err)
			}
		})
	}
}

func TestTypedErrorDetails(t *testing.T) {
	ctx := context.Background()
	t.Run("NameTakenSuggests", func(t *testing.T) {
		c := newTestClient(t, answer(400, `{"errors":{"name":["has already been taken"]},"status":0}`))
		_, err := c.RegisterDevice(ctx, testSecret, "laptop")
		var nt *NameTakenError
		if !errors.As(err, &nt) || nt.Name != "laptop" || nt.Suggestion != "laptop-2" {
			t.Fatalf("err %#v", err)
		}
		if !strings.Contains(err.Error(), `"laptop-2"`) {
			t.Errorf("message %q does not suggest the free name", err)
		}
	})
	t.Run("RateLimitReset", func(t *testing.T) {
		c := newTestClient(t, answer(429, `{"status":0,"errors":["monthly limit reached"]}`, "X-Limit-App-Reset", "1393653600"))
		err := calls["Send"](c, ctx)
		var rl *RateLimitError
		if !errors.As(err, &rl) || !rl.Reset.Equal(time.Unix(1393653600, 0)) {
			t.Fatalf("err %#v", err)
		}
		if !strings.Contains(err.Error(), "2014-03-01") && !strings.Contains(err.Error(), "2014-02-28") {
			t.Errorf("message %q does not say when the limit resets", err)
		}
	})
	t.Run("RequestErrorText", func(t *testing.T) {
		c := newTestClient(t, answer(400, `{"user":"invalid","errors":["user identifier is invalid"],"status":0,"request":"5042"}`))
		err := calls["Send"](c, ctx)
		var re *RequestError
		if !errors.As(err, &re) || re.Request != "5042" || len(re.Fields) != 1 || re.Fields[0] != "user" {
			t.Fatalf("err %#v", err)
		}
		if !strings.Contains(err.Error(), "user identifier is invalid") {
			t.Errorf("message %q lacks the server's text", err)
		}
	})
	t.Run("TwoFactorCodeRefused", func(t *testing.T) {
		c := newTestClient(t, answer(412, `{"status":0}`))
		_, err := c.Login(ctx, "a@b.c", "pw", "123456")
		var tf *TwoFactorError
		if !errors.As(err, &tf) || !tf.CodeSent {
			t.Fatalf("err %#v", err)
		}
	})
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name     string
		call     string
		status   int // what every request gets
		okAfter  int // succeed from this request on (0 = never)
		wantHits int32
		wantErr  error
	}{
		{"DownloadRecovers", "Download", 503, 3, 3, nil},
		{"DownloadBounded", "Download", 503, 0, 4, ErrServer},
		{"DeleteBounded", "DeleteUpTo", 502, 0, 4, ErrServer},
		{"AckRecovers", "Acknowledge", 500, 2, 2, nil},
		{"NoRetryOn4xx", "Download", 400, 0, 1, ErrSessionInvalid},
		{"NoRetryOn429", "Acknowledge", 429, 0, 1, ErrRateLimited},
		{"SendNeverRetried", "Send", 503, 0, 1, ErrServer},
		{"LoginNeverRetried", "Login", 503, 0, 1, ErrServer},
		{"RegisterNeverRetried", "RegisterDevice", 503, 0, 1, ErrServer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := hits.Add(1)
				if tt.okAfter > 0 && int(n) >= tt.okAfter {
					fmt.Fprint(w, `{"status":1,"request":"ok","messages":[]}`)
					return
				}
				w.WriteHeader(tt.status)
				fmt.Fprint(w, `{"status":0,"errors":["no"]}`)
			}))
			err := calls[tt.call](c, context.Background())
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if hits.Load() != tt.wantHits {
				t.Errorf("%d requests, want %d", hits.Load(), tt.wantHits)
			}
		})
	}
}

func TestRetryNetworkError(t *testing.T) {
	var hits atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) < 3 {
			// Drop the connection without an answer.
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		fmt.Fprint(w, `{"status":1,"messages":[{"id":3,"app":"a"},{"id":1,"app":"b"}]}`)
	}))
	msgs, err := c.Download(context.Background(), testSecret, "dev1")
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 3 || len(msgs) != 2 || msgs[0].ID != 1 || msgs[1].ID != 3 {
		t.Errorf("hits %d msgs %+v", hits.Load(), msgs)
	}
}

func TestRetryCancelledDuringBackoff(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cancel() // the client is now waiting an hour before its retry
		w.WriteHeader(503)
	}))
	defer srv.Close()
	c, err := New(srv.URL, Options{Retry: Backoff{Attempts: 5, Base: time.Hour, Max: time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- c.DeleteUpTo(ctx, testSecret, "dev1", 1) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the backoff did not stop on cancellation")
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := New(srv.URL, Options{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Login(context.Background(), "a@b.c", "pw", "")
	if !errors.Is(err, ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want ErrUnreachable wrapping DeadlineExceeded", err)
	}
}

func TestBackoffBounds(t *testing.T) {
	c := &Client{retry: Backoff{Attempts: 10, Base: 5 * time.Second, Max: time.Minute}}
	for i := range 10 {
		lo := min(5*time.Second<<i, time.Minute)
		hi := min(lo+lo/2, time.Minute)
		for range 50 {
			if d := c.backoff(i); d < lo || d > hi {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", i, d, lo, hi)
			}
		}
	}
}
