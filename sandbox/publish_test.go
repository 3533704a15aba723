package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestPublishValidation(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "pobox")
	token := e.s.AddApp("app")
	base := func(kv ...string) url.Values {
		v := url.Values{"token": {token}, "user": {d.user}, "message": {"hello"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	// 1,024 characters of a 3-byte character: 3,072 bytes, still valid.
	cjk1024 := strings.Repeat("語", 1024)
	tests := []struct {
		name    string
		form    url.Values
		invalid string // the parameter reported "invalid"; "" = success
	}{
		{"OK", base(), ""},
		{"OKMessage1024Chars", base("message", cjk1024), ""},
		{"OKTitle250", base("title", strings.Repeat("é", 250)), ""},
		{"OKURL512", base("url", "https://e.x/"+strings.Repeat("a", 500)), ""},
		{"OKURLTitle100", base("url_title", strings.Repeat("ü", 100)), ""},
		{"OKEveryParam", base("title", "t", "device", "pobox", "priority", "1", "sound", "bike", "timestamp", "1631773887",
			"url", "https://example.com", "url_title", "x", "html", "1", "ttl", "60", "encrypted", "0",
			"attachment_base64", base64.StdEncoding.EncodeToString([]byte("img")), "attachment_type", "image/jpeg"), ""},
		{"OKEmergency", base("priority", "2", "retry", "30", "expire", "10800", "callback", "https://example.com/cb", "tags", "a,b"), ""},
		{"OKTwoUsers", base("user", d.user+","+d.user), ""},
		{"ErrToken", base("token", "azGDORePK8gMaC0QOYAMyEEuzJnyUi"), "token"},
		{"ErrNoToken", base("token", ""), "token"},
		{"ErrUser", base("user", "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"), "user"},
		{"ErrUserBlank", base("user", ""), "user"},
		{"ErrUsersOver50", base("user", strings.Repeat(d.user+",", 50)+d.user), "user"},
		{"ErrMessageBlank", base("message", ""), "message"},
		{"ErrMessage1025Chars", base("message", cjk1024+"a"), "message"},
		{"ErrMessageBadUTF8", base("message", "\xff\xfe"), "message"},
		{"ErrTitle251", base("title", strings.Repeat("é", 251)), "title"},
		{"ErrURL513", base("url", strings.Repeat("a", 513)), "url"},
		{"ErrURLTitle101", base("url_title", strings.Repeat("a", 101)), "url_title"},
		{"ErrPriority3", base("priority", "3"), "priority"},
		{"ErrPriorityMinus3", base("priority", "-3"), "priority"},
		{"ErrPriorityText", base("priority", "high"), "priority"},
		{"ErrRetryMissing", base("priority", "2", "expire", "60"), "retry"},
		{"ErrRetry29", base("priority", "2", "retry", "29", "expire", "60"), "retry"},
		{"ErrExpireMissing", base("priority", "2", "retry", "30"), "expire"},
		{"ErrExpire10801", base("priority", "2", "retry", "30", "expire", "10801"), "expire"},
		{"ErrCallback", base("priority", "2", "retry", "30", "expire", "60", "callback", "ftp://x"), "callback"},
		{"ErrSound", base("sound", "doorbell"), "sound"},
		{"ErrDeviceName", base("device", "my phone"), "device"},
		{"ErrDeviceUnknown", base("device", "nosuchdevice"), "device"},
		{"ErrHTMLAndMonospace", base("html", "1", "monospace", "1"), "monospace"},
		{"ErrHTMLValue", base("html", "yes"), "html"},
		{"ErrTTL", base("ttl", "-5"), "ttl"},
		{"ErrTimestamp", base("timestamp", "yesterday"), "timestamp"},
		{"ErrBase64", base("attachment_base64", "!!!"), "attachment_base64"},
		{"ErrAttachmentType", base("attachment_base64", "aW1n", "attachment_type", "text/html"), "attachment_type"},
		{"ErrAttachmentSize", base("attachment_base64", base64.StdEncoding.EncodeToString(make([]byte, maxAttachment+1))), "attachment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("POST", "/1/messages.json", tt.form)
			if tt.invalid == "" {
				if tt.form.Get("priority") == "2" {
					r.check(t, 200, "receipt")
					if !isKey(r.str("receipt")) {
						t.Errorf("receipt %q", r.str("receipt"))
					}
				} else {
					r.check(t, 200)
				}
				return
			}
			r.check(t, 400, "errors", tt.invalid)
			if r.body[tt.invalid] != "invalid" || len(r.errs()) == 0 {
				t.Errorf("reply %s", r.raw)
			}
		})
	}
	// The example of pushover-api.md 3.1, exactly.
	r := e.do("POST", "/1/messages.json", base("user", "uQiRzpo4DXghDmr9QzzfQu27cmVRsG"))
	if !reflect.DeepEqual(r.errs(), []string{"user identifier is invalid"}) {
		t.Errorf("bad user reply %s", r.raw)
	}
	// Publish shares the validation and returns an *APIError.
	_, err := e.s.Publish(Message{Token: token, User: d.user})
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Invalid[0] != "message" {
		t.Errorf("Publish without a message: %v", err)
	}
}

func TestPublishDelivery(t *testing.T) {
	e := newEnv(t, Options{Now: func() time.Time { return time.Unix(1700000000, 0) }})
	a := e.newDevice("me@example.com", "a")
	b := e.newDevice("me@example.com", "b")
	token := e.s.AddApp("Backups")
	e.publish(Message{Token: token, User: a.user, Message: "only b", Device: "b", Sound: "bike", Timestamp: 1600000000, Monospace: true})
	e.publish(Message{Token: token, User: a.user, Message: "short-lived", TTL: 60})
	if got := len(e.download(a)); got != 1 {
		t.Errorf("device a has %d messages, want 1 (the other was for b)", got)
	}
	mb := e.download(b)
	if len(mb) != 2 {
		t.Fatalf("device b has %d messages, want 2", len(mb))
	}
	m := mb[0]
	if m["sound"] != "bike" || m["date"] != json.Number("1600000000") || m["queued_date"] != json.Number("1700000000") ||
		m["monospace"] != json.Number("1") || m["app"] != "Backups" || m["priority"] != json.Number("0") {
		t.Errorf("message %v", m)
	}
	if mb[1]["sound"] != "po" {
		t.Errorf("default sound %v, want po", mb[1]["sound"])
	}
	// One publish gives the same umid on every device of the user.
	if ma := e.download(a)[0]; ma["umid"] != mb[1]["umid"] || ma["id"] == mb[1]["id"] {
		t.Errorf("umid %v/%v ids %v/%v", ma["umid"], mb[1]["umid"], ma["id"], mb[1]["id"])
	}
}

func TestTTLExpires(t *testing.T) {
	var now atomic.Int64
	now.Store(1700000000)
	e := newEnv(t, Options{Now: func() time.Time { return time.Unix(now.Load(), 0) }})
	d := e.newDevice("me@example.com", "a")
	token := e.s.AddApp("x")
	e.publish(Message{Token: token, User: d.user, Message: "gone soon", TTL: 60})
	e.publish(Message{Token: token, User: d.user, Message: "emergency ignores ttl", TTL: 60, Priority: 2, Retry: 30, Expire: 3600})
	dev, _ := e.s.Device(d.id)
	if len(dev.Queue) != 2 {
		t.Fatalf("queue %d, want 2", len(dev.Queue))
	}
	now.Add(61)
	if msgs := e.download(d); len(msgs) != 1 || msgs[0]["priority"] != json.Number("2") {
		t.Errorf("after ttl: %v", msgs)
	}
}

func TestQuota(t *testing.T) {
	e := newEnv(t, Options{AppLimit: 3})
	d := e.newDevice("me@example.com", "a")
	o := e.newDevice("other@example.com", "o")
	token := e.s.AddApp("x")
	form := url.Values{"token": {token}, "user": {d.user}, "message": {"m"}}
	for i := 2; i >= 1; i-- {
		r := e.do("POST", "/1/messages.json", form)
		r.check(t, 200)
		if got := r.header.Get("X-Limit-App-Remaining"); got != strconv.Itoa(i) {
			t.Errorf("remaining %q, want %d", got, i)
		}
		if r.header.Get("X-Limit-App-Limit") != "3" {
			t.Errorf("limit header %q", r.header.Get("X-Limit-App-Limit"))
		}
		reset, _ := strconv.ParseInt(r.header.Get("X-Limit-App-Reset"), 10, 64)
		if reset <= time.Now().Unix() || reset > time.Now().Add(32*24*time.Hour).Unix() {
			t.Errorf("reset %d is not within the next month", reset)
		}
	}
	// Two users count as two messages: over the allowance.
	r := e.do("POST", "/1/messages.json", url.Values{"token": {token}, "user": {d.user + "," + o.user}, "message": {"m"}})
	r.check(t, 429, "errors")
	if r.header.Get("X-Limit-App-Remaining") != "1" {
		t.Errorf("429 remaining header %q", r.header.Get("X-Limit-App-Remaining"))
	}
	e.do("POST", "/1/messages.json", form).check(t, 200)
	r = e.do("POST", "/1/messages.json", form)
	r.check(t, 429, "errors")
	if r.header.Get("X-Limit-App-Remaining") != "0" {
		t.Errorf("remaining %q, want 0", r.header.Get("X-Limit-App-Remaining"))
	}
	l := e.do("GET", "/1/apps/limits.json", url.Values{"token": {token}})
	l.check(t, 200, "limit", "remaining", "reset")
	if l.body["limit"] != json.Number("3") || l.body["remaining"] != json.Number("0") {
		t.Errorf("limits %s", l.raw)
	}
	e.do("GET", "/1/apps/limits.json", url.Values{"token": {"bad"}}).check(t, 400, "errors", "token")
	if _, err := e.s.Publish(Message{Token: token, User: d.user, Message: "m"}); err == nil || err.(*APIError).Status != 429 {
		t.Errorf("Publish over the allowance: %v", err)
	}
}

func TestSoundsAndValidate(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "pobox")
	nodev := e.s.AddAccount(Account{Email: "n@example.com", Password: "p"})
	token := e.s.AddApp("x")
	r := e.do("GET", "/1/sounds.json", url.Values{"token": {token}})
	r.check(t, 200, "sounds")
	if s := r.body["sounds"].(map[string]any); len(s) != 23 || s["pushover"] != "Pushover (default)" {
		t.Errorf("sounds %v", s)
	}
	e.do("GET", "/1/sounds.json", nil).check(t, 400, "errors", "token")

	r = e.do("POST", "/1/users/validate.json", url.Values{"token": {token}, "user": {d.user}})
	r.check(t, 200, "group", "devices", "licenses")
	if !reflect.DeepEqual(r.body["devices"], []any{"pobox"}) || r.body["group"] != json.Number("0") {
		t.Errorf("validate %s", r.raw)
	}
	e.do("POST", "/1/users/validate.json", url.Values{"token": {token}, "user": {d.user}, "device": {"pobox"}}).check(t, 200, "group", "devices", "licenses")
	tests := []struct {
		name    string
		form    url.Values
		invalid string
	}{
		{"ErrToken", url.Values{"token": {"x"}, "user": {d.user}}, "token"},
		{"ErrUser", url.Values{"token": {token}, "user": {"uQiRzpo4DXghDmr9QzzfQu27cmVRsG"}}, "user"},
		{"ErrNoDevices", url.Values{"token": {token}, "user": {nodev}}, "user"},
		{"ErrDevice", url.Values{"token": {token}, "user": {d.user}, "device": {"phone"}}, "device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.do("POST", "/1/users/validate.json", tt.form).check(t, 400, "errors", tt.invalid)
		})
	}
	g, err := e.s.AddGroup(d.user, nodev)
	if err != nil {
		t.Fatal(err)
	}
	r = e.do("POST", "/1/users/validate.json", url.Values{"token": {token}, "user": {g}})
	if r.body["group"] != json.Number("1") {
		t.Errorf("group validate %s", r.raw)
	}
	e.do("POST", "/1/messages.json", url.Values{"token": {token}, "user": {g}, "message": {"to the group"}}).check(t, 200)
	if msgs := e.download(d); len(msgs) != 1 {
		t.Errorf("group member got %d messages", len(msgs))
	}
}

func TestReceiptEndpoints(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "a")
	token := e.s.AddApp("x")
	other := e.s.AddApp("y")
	pub := e.publish(Message{Token: token, User: d.user, Message: "m", Priority: 2, Retry: 60, Expire: 600, Tags: "db,outage"})
	tagged := e.publish(Message{Token: token, User: d.user, Message: "m2", Priority: 2, Retry: 60, Expire: 600, Tags: "outage"})

	r := e.do("GET", "/1/receipts/"+pub.Receipt+".json", url.Values{"token": {token}})
	r.check(t, 200, "acknowledged", "acknowledged_at", "acknowledged_by", "acknowledged_by_device",
		"last_delivered_at", "expired", "expires_at", "called_back", "called_back_at")
	if r.body["acknowledged"] != json.Number("0") || r.body["expired"] != json.Number("0") {
		t.Errorf("fresh receipt %s", r.raw)
	}
	e.do("GET", "/1/receipts/"+pub.Receipt+".json", url.Values{"token": {other}}).check(t, 400, "errors", "receipt")
	e.do("GET", "/1/receipts/"+pub.Receipt+".json", url.Values{"token": {"bad"}}).check(t, 400, "errors", "token")
	e.do("POST", "/1/receipts/"+pub.Receipt+"/cancel.json", url.Values{"token": {other}}).check(t, 400, "errors", "receipt")

	e.do("POST", "/1/receipts/"+pub.Receipt+"/cancel.json", url.Values{"token": {token}}).check(t, 200)
	if rs, _ := e.s.Receipt(pub.Receipt); !rs.Canceled {
		t.Errorf("not cancelled: %+v", rs)
	}
	r = e.do("POST", "/1/receipts/cancel_by_tag/outage.json", url.Values{"token": {token}})
	r.check(t, 200, "canceled")
	if r.body["canceled"] != json.Number("1") {
		t.Errorf("cancel_by_tag %s, want 1 (the other was cancelled already)", r.raw)
	}
	if rs, _ := e.s.Receipt(tagged.Receipt); !rs.Canceled {
		t.Errorf("tagged receipt not cancelled")
	}
	e.do("POST", "/1/receipts/cancel_by_tag/outage.json", url.Values{"token": {"bad"}}).check(t, 400, "errors", "token")
}
