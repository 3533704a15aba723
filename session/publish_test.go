package session

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func validSend() SendRequest {
	return SendRequest{Token: testToken, User: testUser, Message: "disk full"}
}

func TestSendCheck(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*SendRequest)
		field string // "" = valid
	}{
		{"OK", func(r *SendRequest) {}, ""},
		{"OKFull", func(r *SendRequest) {
			r.Title, r.URL, r.URLTitle, r.Device, r.Sound = "t", "https://x", "x", "a,b_c", "siren"
			r.Priority, r.Retry, r.Expire, r.HTML, r.TTL, r.Timestamp = 2, 30, 10800, true, 60, 1
		}, ""},
		{"OKMaxMessageInRunes", func(r *SendRequest) { r.Message = strings.Repeat("é", MaxMessage) }, ""},
		{"NoToken", func(r *SendRequest) { r.Token = "" }, "token"},
		{"ShortToken", func(r *SendRequest) { r.Token = "abc" }, "token"},
		{"BadUser", func(r *SendRequest) { r.User = testUser + ",x" }, "user"},
		{"TooManyUsers", func(r *SendRequest) { r.User = strings.Repeat(testUser+",", 50) + testUser }, "user"},
		{"EmptyMessage", func(r *SendRequest) { r.Message = "  " }, "message"},
		{"LongMessage", func(r *SendRequest) { r.Message = strings.Repeat("é", MaxMessage+1) }, "message"},
		{"LongTitle", func(r *SendRequest) { r.Title = strings.Repeat("t", MaxTitle+1) }, "title"},
		{"LongURL", func(r *SendRequest) { r.URL = strings.Repeat("u", MaxURL+1) }, "url"},
		{"LongURLTitle", func(r *SendRequest) { r.URLTitle = strings.Repeat("u", MaxURLTitle+1) }, "url title"},
		{"BadDevice", func(r *SendRequest) { r.Device = "ok,not ok" }, "device name"},
		{"Priority3", func(r *SendRequest) { r.Priority = 3 }, "priority"},
		{"HTMLAndMonospace", func(r *SendRequest) { r.HTML, r.Monospace = true, true }, "html"},
		{"EmergencyNoRetry", func(r *SendRequest) { r.Priority, r.Expire = 2, 60 }, "retry"},
		{"EmergencyShortRetry", func(r *SendRequest) { r.Priority, r.Retry, r.Expire = 2, 29, 60 }, "retry"},
		{"EmergencyLongExpire", func(r *SendRequest) { r.Priority, r.Retry, r.Expire = 2, 30, 10801 }, "expire"},
		{"NegativeTTL", func(r *SendRequest) { r.TTL = -1 }, "ttl"},
		{"BadCallback", func(r *SendRequest) { r.Callback = "ftp://x" }, "callback"},
		{"AttachmentTooLarge", func(r *SendRequest) {
			r.Attachment = &Attachment{Name: "a.png", Type: "image/png", Data: make([]byte, MaxAttachment+1)}
		}, "attachment"},
		{"AttachmentNotImage", func(r *SendRequest) {
			r.Attachment = &Attachment{Name: "a.txt", Type: "text/plain", Data: []byte("x")}
		}, "attachment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validSend()
			tt.edit(&r)
			err := r.Check()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Check = %v", err)
				}
				return
			}
			var le *LimitError
			if !errors.As(err, &le) || le.Field != tt.field || !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("Check = %#v, want a LimitError on %q", err, tt.field)
			}
		})
	}
}

func TestSendChecksBeforeSending(t *testing.T) {
	var hits atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	r := validSend()
	r.Message = strings.Repeat("x", 1100)
	_, err := c.Send(context.Background(), r)
	if err == nil || !strings.Contains(err.Error(), "1100 characters; the limit is 1024") {
		t.Errorf("err %v, want the limit named", err)
	}
	if hits.Load() != 0 {
		t.Error("the request reached the server")
	}
}

func pngBytes(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{255, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestReadAttachment(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "shot.dat") // the name says nothing: the content does
	if err := os.WriteFile(img, pngBytes(t), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := ReadAttachment(img)
	if err != nil || a.Type != "image/png" || a.Name != "shot.dat" {
		t.Fatalf("ReadAttachment = %+v, %v", a, err)
	}

	text := filepath.Join(dir, "notes.png")
	os.WriteFile(text, []byte("just text\n"), 0o600)
	if _, err := ReadAttachment(text); err == nil || !strings.Contains(err.Error(), "text/plain") {
		t.Errorf("text file: %v, want refused as text/plain", err)
	}

	big := filepath.Join(dir, "big.png")
	f, _ := os.Create(big)
	f.Write(pngBytes(t))
	f.Truncate(MaxAttachment + 1) // sparse: cheap to make
	f.Close()
	if _, err := ReadAttachment(big); err == nil || !strings.Contains(err.Error(), "the limit is 5.0 MB (5242880 bytes)") {
		t.Errorf("big file: %v, want the limit named", err)
	}

	if _, err := ReadAttachment(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file: no error")
	}
}

func TestSendMultipartAndResult(t *testing.T) {
	var got struct {
		fields map[string]string
		ctype  string
		data   []byte
	}
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "multipart/form-data" {
			t.Errorf("content type %q", mt)
		}
		got.fields = map[string]string{}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			if p.FormName() == "attachment" {
				got.ctype, got.data = p.Header.Get("Content-Type"), b
			} else {
				got.fields[p.FormName()] = string(b)
			}
		}
		w.Header().Set("X-Limit-App-Limit", "10000")
		w.Header().Set("X-Limit-App-Remaining", "9999")
		w.Header().Set("X-Limit-App-Reset", "1393653600")
		fmt.Fprint(w, `{"status":1,"request":"647d","receipt":"rcpt123","extra":true}`)
	}))
	data := pngBytes(t)
	r := validSend()
	r.Title, r.Priority, r.Retry, r.Expire, r.Monospace, r.Timestamp = "T", 2, 60, 3600, true, 1700000000
	r.Attachment = &Attachment{Name: "a.png", Type: "image/png", Data: data}
	res, err := c.Send(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	want := SendResult{Request: "647d", Receipt: "rcpt123", Limit: 10000, Remaining: 9999, Reset: time.Unix(1393653600, 0)}
	if res != want {
		t.Errorf("result %+v, want %+v", res, want)
	}
	wantFields := map[string]string{"token": testToken, "user": testUser, "message": "disk full", "title": "T",
		"priority": "2", "retry": "60", "expire": "3600", "monospace": "1", "timestamp": "1700000000"}
	for k, v := range wantFields {
		if got.fields[k] != v {
			t.Errorf("field %s = %q, want %q", k, got.fields[k], v)
		}
	}
	if len(got.fields) != len(wantFields) {
		t.Errorf("fields %v, want exactly %v", got.fields, wantFields)
	}
	if got.ctype != "image/png" || !bytes.Equal(got.data, data) {
		t.Errorf("attachment %q, %d bytes", got.ctype, len(got.data))
	}
}

func TestSendBase64Attachment(t *testing.T) {
	var b64, typ, ctype string
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctype = r.Header.Get("Content-Type")
		b64, typ = r.FormValue("attachment_base64"), r.FormValue("attachment_type")
		fmt.Fprint(w, `{"status":1,"request":"r"}`)
	}))
	data := pngBytes(t)
	r := validSend()
	r.Attachment, r.AttachmentBase64 = &Attachment{Name: "a.png", Type: "image/png", Data: data}, true
	if _, err := c.Send(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	if ctype != "application/x-www-form-urlencoded" || typ != "image/png" || b64 != base64.StdEncoding.EncodeToString(data) {
		t.Errorf("ctype %q type %q base64 %d chars", ctype, typ, len(b64))
	}
}

func TestReceipts(t *testing.T) {
	var cancelled atomic.Bool
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("token") != testToken {
			t.Errorf("token %q", r.FormValue("token"))
		}
		switch r.URL.Path {
		case "/1/receipts/rcpt.json":
			fmt.Fprint(w, `{"status":1,"request":"r","acknowledged":1,"acknowledged_at":1700000000,
				"acknowledged_by":"`+testUser+`","acknowledged_by_device":"laptop","last_delivered_at":1699999990,
				"expired":0,"expires_at":1700003600,"called_back":0,"called_back_at":0}`)
		case "/1/receipts/rcpt/cancel.json":
			cancelled.Store(r.Method == http.MethodPost)
			fmt.Fprint(w, `{"status":1,"request":"r"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	rc, err := c.ReceiptStatus(context.Background(), testToken, "rcpt")
	if err != nil {
		t.Fatal(err)
	}
	want := Receipt{Acknowledged: true, AcknowledgedAt: time.Unix(1700000000, 0), AcknowledgedBy: testUser,
		AcknowledgedByDevice: "laptop", LastDeliveredAt: time.Unix(1699999990, 0), ExpiresAt: time.Unix(1700003600, 0)}
	if rc != want {
		t.Errorf("receipt %+v, want %+v", rc, want)
	}
	if err := c.CancelReceipt(context.Background(), testToken, "rcpt"); err != nil || !cancelled.Load() {
		t.Errorf("cancel: %v, reached %v", err, cancelled.Load())
	}
}
