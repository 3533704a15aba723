package sandbox

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func TestUnknownPathAndWrongMethod(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		name, method, path string
		code               int
		allow              string
	}{
		{"UnknownPath", "GET", "/1/nope.json", 404, ""},
		{"Root", "GET", "/", 404, ""},
		{"NoVersion", "POST", "/messages.json", 404, ""},
		{"ReceiptEmptyID", "GET", "/1/receipts/.json", 404, ""},
		{"LoginGET", "GET", "/1/users/login.json", 405, "POST"},
		{"MessagesDELETE", "DELETE", "/1/messages.json", 405, "GET, POST"},
		{"ReceiptPOST", "POST", "/1/receipts/abc.json", 405, "GET"},
		{"PushPOST", "POST", "/push", 405, "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(tt.method, tt.path, nil)
			r.check(t, tt.code, "errors")
			if got := r.header.Get("Allow"); got != tt.allow {
				t.Errorf("Allow %q, want %q", got, tt.allow)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
		})
	}
	t.Run("PushWithoutUpgrade", func(t *testing.T) {
		e.do("GET", "/push", nil).check(t, 400, "errors")
	})
	t.Run("PushBadHandshake", func(t *testing.T) {
		req, _ := http.NewRequest("GET", e.s.APIURL()+"/push", nil)
		req.Header.Set("Connection", "Upgrade")
		req.Header.Set("Upgrade", "websocket")
		req.Header.Set("Sec-WebSocket-Version", "13") // no Sec-WebSocket-Key
		e.send(req).check(t, 400, "errors")
	})
}

func TestBodies(t *testing.T) {
	e := newEnv(t, Options{MaxBody: 64 << 10})
	d := e.newDevice("me@example.com", "pobox")
	token := e.s.AddApp("app")
	post := func(ct string, body []byte) reply {
		req, _ := http.NewRequest("POST", e.s.APIURL()+"/1/messages.json", bytes.NewReader(body))
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		return e.send(req)
	}

	t.Run("JSON", func(t *testing.T) {
		r := post("application/json", []byte(`{"token":"`+token+`","user":"`+d.user+`","message":"json","priority":1,"html":true}`))
		r.check(t, 200)
	})
	t.Run("Multipart", func(t *testing.T) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		w.WriteField("token", token)
		w.WriteField("user", d.user)
		w.WriteField("message", "multipart")
		w.WriteField("attachment_type", "image/png")
		f, _ := w.CreateFormFile("attachment", "x.png")
		f.Write([]byte("\x89PNG fake"))
		w.Close()
		post(w.FormDataContentType(), b.Bytes()).check(t, 200)
	})
	t.Run("NoContentType", func(t *testing.T) {
		post("", []byte(url.Values{"token": {token}, "user": {d.user}, "message": {"bare"}}.Encode())).check(t, 200)
	})
	if n := len(e.download(d)); n != 3 {
		t.Errorf("%d messages delivered, want 3", n)
	}

	bad := []struct {
		name, ct, body string
		code           int
	}{
		{"ErrJSONSyntax", "application/json", `{"token":`, 400},
		{"ErrJSONArray", "application/json", `[1,2]`, 400},
		{"ErrJSONNested", "application/json", `{"token":{"a":1}}`, 400},
		{"ErrJSONTwoValues", "application/json", `{} {}`, 400},
		{"ErrMultipartNoBoundary", "multipart/form-data", "x", 400},
		{"ErrMultipartBroken", "multipart/form-data; boundary=zz", "--zz\r\nbroken", 400},
		{"ErrFormEscape", "application/x-www-form-urlencoded", "token=%zz", 400},
		{"ErrTooLarge", "application/x-www-form-urlencoded", "message=" + strings.Repeat("a", 65<<10), 413},
		{"ErrTooLargeJSON", "application/json", `{"message":"` + strings.Repeat("a", 65<<10) + `"}`, 413},
		{"ErrTooLargeMultipart", "multipart/form-data; boundary=zz",
			"--zz\r\nContent-Disposition: form-data; name=\"attachment\"; filename=\"a.png\"\r\n\r\n" + strings.Repeat("a", 65<<10) + "\r\n--zz--\r\n", 413},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			post(tt.ct, []byte(tt.body)).check(t, tt.code, "errors")
		})
	}
}

func TestRequestLogRedactsSecrets(t *testing.T) {
	var (
		mu  sync.Mutex
		buf bytes.Buffer
	)
	e := newEnv(t, Options{Log: writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	})})
	e.s.AddAccount(Account{Email: "me@example.com", Password: "hunter2pass", TwoFA: "424242"})
	// Secrets in the query string of a POST are read (and must be redacted).
	e.do("POST", "/1/users/login.json?password=hunter2pass&twofa=424242", url.Values{"email": {"me@example.com"}}).check(t, 200, "id", "secret")
	r := e.do("POST", "/1/users/login.json", url.Values{"email": {"me@example.com"}, "password": {"hunter2pass"}, "twofa": {"424242"}})
	secret := r.str("secret")
	e.do("GET", "/1/messages.json", url.Values{"secret": {secret}, "device_id": {"dev"}, "token": {"tok123"}})
	e.do("POST", "/1/users/login.json", url.Values{"email": {"me@example.com"}, "password": {"hunter2pass"}}).check(t, 412, "errors")
	mu.Lock()
	log := buf.String()
	mu.Unlock()
	if secret == "" {
		t.Fatal("login failed")
	}
	for _, secretText := range []string{"hunter2pass", "424242", "tok123", secret} {
		if strings.Contains(log, secretText) {
			t.Errorf("log contains secret %q:\n%s", secretText, log)
		}
	}
	if !strings.Contains(log, "GET /1/messages.json?device_id=dev&secret=REDACTED&token=REDACTED 400") {
		t.Errorf("log lacks the redacted download line:\n%s", log)
	}
	reqs := e.s.Requests()
	if len(reqs) != 4 || reqs[0].Method != "POST" || reqs[0].Status != 200 || reqs[3].Status != 412 {
		t.Errorf("Requests() = %+v", reqs)
	}
	for _, r := range reqs {
		if strings.Contains(r.Path, "hunter2pass") {
			t.Errorf("Requests() holds a secret: %q", r.Path)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestRouteMatching(t *testing.T) {
	s := &Server{}
	s.routes = s.buildRoutes()
	tests := []struct {
		path, pattern string
		params        []string
	}{
		{"/1/receipts/abc.json", "/1/receipts/{receipt}.json", []string{"abc"}},
		{"/1/receipts/abc/cancel.json", "/1/receipts/{receipt}/cancel.json", []string{"abc"}},
		{"/1/receipts/cancel_by_tag/cancel.json", "/1/receipts/cancel_by_tag/{tag}.json", []string{"cancel"}},
		{"/1/receipts/abc/acknowledge.json", "/1/receipts/{receipt}/acknowledge.json", []string{"abc"}},
		{"/1/devices/D1/update_highest_message.json", "/1/devices/{device}/update_highest_message.json", []string{"D1"}},
		{"/1/receipts/.json", "", nil},
		{"/1/devices//update_highest_message.json", "", nil},
		{"/1/messages.json/", "", nil},
	}
	for _, tt := range tests {
		rt, params := s.match(tt.path)
		got := ""
		if rt != nil {
			got = rt.pattern
		}
		if got != tt.pattern || strings.Join(params, "|") != strings.Join(tt.params, "|") {
			t.Errorf("match(%q) = %q %q, want %q %q", tt.path, got, params, tt.pattern, tt.params)
		}
	}
}
