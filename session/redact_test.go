package session

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSecretPrintsRedacted(t *testing.T) {
	st := Stored{UserKey: "u", Secret: testSecret, DeviceID: "d"}
	var logBuf bytes.Buffer
	slog.New(slog.NewTextHandler(&logBuf, nil)).Info("x", "secret", testSecret, "stored", st)
	slog.New(slog.NewJSONHandler(&logBuf, nil)).Info("x", "secret", testSecret)
	outputs := []string{
		fmt.Sprint(testSecret), fmt.Sprintf("%v %s %q %x %X %#v %+v %d", testSecret, testSecret, testSecret,
			testSecret, testSecret, testSecret, testSecret, testSecret),
		fmt.Sprintf("%v %+v %#v", st, st, st), fmt.Sprintf("%v", &st), logBuf.String(),
		panicText(func() { panic(testSecret) }),
	}
	for _, out := range outputs {
		if strings.Contains(out, testSecret.Reveal()) {
			t.Errorf("secret leaked: %s", out)
		}
	}
}

func panicText(f func()) (s string) {
	defer func() { s = fmt.Sprint(recover()) }()
	f()
	return ""
}

// sensitive lists every credential the calls in `calls` send.
var sensitive = []string{testSecret.Reveal(), testToken, "hunter2-password"}

// echo answers with every parameter it received in the error text, the
// request id and a header, as a careless server might.
func echo(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseMultipartForm(1 << 20)
		var vals []string
		for _, vs := range r.Form {
			vals = append(vals, vs...)
		}
		all := strings.Join(vals, " ")
		w.Header().Set("Location", "http://127.0.0.1/?secret="+r.FormValue("secret"))
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"status":0,"request":%q,"errors":{"secret":[%q]},"x":%q}`, all, "bad "+all, all)
	}
}

func TestRedactionEveryErrorPath(t *testing.T) {
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL
	refused.Close()
	hang := make(chan struct{})
	defer close(hang)
	// hangs answers nothing until the client gives up. It reads the body
	// first: the server notices a closed connection only after that.
	hangs := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	})

	paths := []struct {
		name    string
		url     string // "" = serve handler
		handler http.Handler
		timeout time.Duration
		cancel  bool
	}{
		{"ConnectionRefused", refusedURL, nil, 0, false},
		{"Timeout", "", hangs, 30 * time.Millisecond, false},
		{"Cancelled", "", hangs, 0, true},
		{"ConnectionDropped", "", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
		}), 0, false},
		{"Status400Echo", "", echo(400), 0, false},
		{"Status401Echo", "", echo(401), 0, false},
		{"Status404Echo", "", echo(404), 0, false},
		{"Status412Echo", "", echo(412), 0, false},
		{"Status429Echo", "", echo(429), 0, false},
		{"Status500Echo", "", echo(500), 0, false},
		{"Status200Status0Echo", "", echo(200), 0, false},
		{"RedirectWithSecret", "", echo(302), 0, false},
		{"NotJSON", "", answer(200, "<html>"+testSecret.Reveal()+"</html>"), 0, false},
		{"WrongShape", "", answer(200, `{"status":1,"messages":"`+testSecret.Reveal()+`"}`), 0, false},
	}
	for _, p := range paths {
		for name, call := range calls {
			t.Run(p.name+"/"+name, func(t *testing.T) {
				base := p.url
				if base == "" {
					srv := httptest.NewServer(p.handler)
					defer srv.Close()
					base = srv.URL
				}
				timeout := 5 * time.Second
				if p.timeout > 0 {
					timeout = p.timeout
				}
				var logBuf bytes.Buffer
				c, err := New(base, Options{
					Timeout: timeout,
					Retry:   fastRetry,
					Logger:  slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug})),
				})
				if err != nil {
					t.Fatal(err)
				}
				defer c.CloseIdleConnections()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if p.cancel {
					time.AfterFunc(20*time.Millisecond, cancel)
				}
				err = call(c, ctx)
				if err == nil {
					if p.name == "WrongShape" && name != "Download" {
						return // the other calls do not read "messages"
					}
					t.Fatal("no error")
				}
				texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err),
					panicText(func() { panic(err) }), logBuf.String()}
				for _, text := range texts {
					for _, s := range sensitive {
						if strings.Contains(text, s) {
							t.Fatalf("%q leaked in %q", s, text)
						}
					}
				}
			})
		}
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://h/1/messages.json?secret=abc&device_id=d", "http://h/1/messages.json?device_id=d&secret=REDACTED"},
		{"http://h/1/receipts/r.json?token=t", "http://h/1/receipts/r.json?token=REDACTED"},
		{"http://u:p@h/x", "http://h/x"},
		{"http://h/x", "http://h/x"},
		{"%zz", "(unprintable URL)"},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
