package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzFormHandlers throws arbitrary bodies, content types and query strings
// at every form endpoint: the answer must always be Pushover-style JSON
// with a status matching the HTTP code, and never a 500. The seed corpus
// runs in a normal `go test`; `go test -fuzz FuzzFormHandlers` explores.
func FuzzFormHandlers(f *testing.F) {
	form := "application/x-www-form-urlencoded"
	// EMAIL, PASSWORD, SECRET, TOKEN and USER stand for the fixture's values
	// (see fuzzFixture), so that the corpus stays valid across runs.
	f.Add(uint8(0), form, "", "email=EMAIL&password=PASSWORD")
	f.Add(uint8(1), form, "", "secret=SECRET&name=a&os=O")
	f.Add(uint8(1), form, "", "secret=SECRET&name=%ff%fe&os=O")
	f.Add(uint8(2), form, "", "token=TOKEN&user=USER&message=hi&priority=2&retry=30&expire=60")
	f.Add(uint8(2), form, "priority=9", "token=TOKEN&user=USER&message=%00%1b]2;x%07")
	f.Add(uint8(2), "application/json", "", `{"token":"TOKEN","user":"USER","message":"j","html":true,"ttl":1e3}`)
	f.Add(uint8(2), "application/json", "", `{"message":[1]}`)
	f.Add(uint8(2), "multipart/form-data; boundary=b", "", "--b\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nhi\r\n--b--\r\n")
	f.Add(uint8(3), form, "", "secret=SECRET&message=9223372036854775807")
	f.Add(uint8(3), form, "", "secret=SECRET&message=-1")
	// Numbers with whitespace around them are accepted (params.num); more
	// such inputs, without a Content-Type, are in testdata/fuzz.
	f.Add(uint8(3), "", "", "secret=SECRET&message=%201%0A")
	f.Add(uint8(2), form, "", "token=TOKEN&user=USER&message=n&priority=%0B1%0C&html=1%20&timestamp=%0917%0D")
	f.Add(uint8(4), form, "secret=SECRET", "")
	f.Add(uint8(5), form, "", "token=TOKEN")
	f.Add(uint8(6), "text/plain", "a=%zz", "\x00\x01")
	f.Add(uint8(7), form, "", "token=TOKEN&user=USER&device=fuzz")

	f.Fuzz(func(t *testing.T, which uint8, contentType, query, body string) {
		// A fresh server for every input: the outcome depends on the input
		// alone, which keeps coverage stable and minimisation quick.
		s, paths, fill := fuzzFixture(t)
		body, query = fill.Replace(body), fill.Replace(query)
		target := paths[int(which)%len(paths)]
		if query != "" {
			target += "?" + strings.Map(func(r rune) rune {
				if r <= ' ' || r == '#' || r == 0x7f {
					return '_' // keep the request line parseable
				}
				return r
			}, query)
		}
		req := httptest.NewRequest(http.MethodPost, "http://sandbox"+pathOnly(target), strings.NewReader(body))
		req.URL.RawQuery = queryOnly(target)
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("HTTP %d for %q %q: %s", rec.Code, contentType, body, rec.Body)
		}
		var reply struct {
			Status  *int    `json:"status"`
			Request *string `json:"request"`
		}
		if err := json.NewDecoder(bytes.NewReader(rec.Body.Bytes())).Decode(&reply); err != nil || reply.Status == nil || reply.Request == nil {
			t.Fatalf("HTTP %d, not a Pushover reply: %q (%v)", rec.Code, rec.Body, err)
		}
		if (*reply.Status == 1) != (rec.Code == 200) {
			t.Fatalf("status %d with HTTP %d", *reply.Status, rec.Code)
		}
	})
}

func pathOnly(target string) string {
	p, _, _ := strings.Cut(target, "?")
	return p
}

func queryOnly(target string) string {
	_, q, _ := strings.Cut(target, "?")
	return q
}

// fuzzFixture is a server with the demo account, one device and one
// pending emergency, the endpoints to fuzz, and the placeholder filler.
func fuzzFixture(t *testing.T) (*Server, []string, *strings.Replacer) {
	s, err := New(Options{MaxBody: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	demo := s.AddDemo()
	devID, secret, err := s.AddDevice(demo.User, "fuzz")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := s.Publish(Message{Token: demo.Token, User: demo.User, Message: "m", Priority: 2, Retry: 30, Expire: 60})
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"/1/users/login.json",
		"/1/devices.json",
		"/1/messages.json",
		"/1/devices/" + devID + "/update_highest_message.json",
		"/1/receipts/" + pub.Receipt + "/acknowledge.json",
		"/1/receipts/" + pub.Receipt + "/cancel.json",
		"/1/receipts/cancel_by_tag/x.json",
		"/1/users/validate.json",
	}
	fill := strings.NewReplacer("EMAIL", demo.Email, "PASSWORD", demo.Password, "SECRET", secret,
		"TOKEN", demo.Token, "USER", demo.User)
	return s, paths, fill
}

// FuzzNumericParam: ASCII whitespace around a numeric parameter never
// changes how it is read (params.num), for integers and 0/1 flags alike.
func FuzzNumericParam(f *testing.F) {
	f.Add("12", " \n")
	f.Add("-2", "\t\r\n")
	f.Add("1", "")
	f.Add("1 1", " ")
	f.Add("", "\v\f")
	f.Add("true", " ")
	f.Fuzz(func(t *testing.T, v, pad string) {
		pad = strings.Map(func(r rune) rune {
			if strings.ContainsRune(" \t\r\n\v\f", r) {
				return r
			}
			return -1
		}, pad)
		read := func(s string) (n int, nErr bool, b bool, bErr bool) {
			p := &params{Values: url.Values{"x": {s}}}
			ei, eb := &APIError{}, &APIError{}
			n = -7 // absent leaves it alone
			p.intParam(ei, "x", &n)
			p.boolParam(eb, "x", &b)
			return n, len(ei.Errors) > 0, b, len(eb.Errors) > 0
		}
		bare := strings.Trim(v, " \t\r\n\v\f")
		n1, e1, b1, f1 := read(bare)
		n2, e2, b2, f2 := read(pad + v + pad)
		if n1 != n2 || e1 != e2 || b1 != b2 || f1 != f2 {
			t.Fatalf("%q read as (%d %v %v %v), padded %q as (%d %v %v %v)", bare, n1, e1, b1, f1, pad+v+pad, n2, e2, b2, f2)
		}
		if want, err := strconv.Atoi(bare); bare != "" && (err == nil) != !e1 || (err == nil && n1 != want) {
			t.Fatalf("%q read as %d (error %v), strconv says %d %v", bare, n1, e1, want, err)
		}
	})
}
