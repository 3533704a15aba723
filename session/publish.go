package session

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SendRequest is a message to publish: every parameter of Pushover's
// MessageRequest. Zero values are left out of the request.
type SendRequest struct {
	Token     string // application token (required)
	User      string // user or group key(s), comma-separated (required)
	Message   string // body, at most 1024 characters (required)
	Title     string // at most 250 characters; default: the app's name
	Device    string // device name(s), comma-separated; default: all
	Priority  int    // -2..2
	Sound     string
	Timestamp int64  // Unix seconds shown instead of the receive time
	TTL       int    // seconds until devices delete it (ignored for priority 2)
	URL       string // at most 512 characters
	URLTitle  string // at most 100 characters
	HTML      bool   // not together with Monospace
	Monospace bool
	Retry     int    // priority 2: seconds between repeats, >= 30
	Expire    int    // priority 2: seconds of repeats, <= 10800
	Callback  string // priority 2: URL called on acknowledgement
	Tags      string // priority 2: comma-separated, for cancel by tag
	Encrypted bool   // fields are end-to-end encrypted by the caller

	// Attachment is one image; see ReadAttachment. It is uploaded as
	// multipart, or as attachment_base64 + attachment_type when
	// AttachmentBase64 is set.
	Attachment       *Attachment
	AttachmentBase64 bool
}

// SendResult is a published message: Request identifies it to Pushover
// support; Receipt is set for priority 2. Limit, Remaining and Reset are
// the app's monthly quota from the X-Limit-App-* headers (zero if absent).
type SendResult struct {
	Request   string
	Receipt   string
	Limit     int
	Remaining int
	Reset     time.Time
}

// Pushover's limits, checked before anything is sent.
const (
	MaxMessage    = 1024 // characters
	MaxTitle      = 250
	MaxURL        = 512
	MaxURLTitle   = 100
	MinRetry      = 30    // seconds
	MaxExpire     = 10800 // seconds
	MaxRecipients = 50
)

// Check tests the request against Pushover's limits without sending it; a
// broken limit gives a *LimitError naming it.
func (r *SendRequest) Check() error {
	if err := checkKey("token", r.Token); err != nil {
		return err
	}
	users := strings.Split(r.User, ",")
	if len(users) > MaxRecipients {
		return &LimitError{Field: "user", Msg: fmt.Sprintf("lists %d keys; the limit is %d", len(users), MaxRecipients)}
	}
	for _, u := range users {
		if err := checkKey("user", strings.TrimSpace(u)); err != nil {
			return err
		}
	}
	if strings.TrimSpace(r.Message) == "" {
		return &LimitError{Field: "message", Msg: "is empty: Pushover needs a message body"}
	}
	for _, l := range []struct {
		field, value string
		max          int
	}{{"message", r.Message, MaxMessage}, {"title", r.Title, MaxTitle}, {"url", r.URL, MaxURL}, {"url title", r.URLTitle, MaxURLTitle}} {
		if n := len([]rune(l.value)); n > l.max {
			return &LimitError{Field: l.field, Msg: fmt.Sprintf("is %d characters; the limit is %d", n, l.max)}
		}
	}
	if r.Device != "" {
		for _, d := range strings.Split(r.Device, ",") {
			if err := CheckDeviceName(strings.TrimSpace(d)); err != nil {
				return err
			}
		}
	}
	if r.Priority < -2 || r.Priority > 2 {
		return &LimitError{Field: "priority", Msg: fmt.Sprintf("is %d; it must be -2, -1, 0, 1 or 2", r.Priority)}
	}
	if r.HTML && r.Monospace {
		return &LimitError{Field: "html", Msg: "and monospace cannot be used together: choose one"}
	}
	if r.Priority == 2 {
		if r.Retry < MinRetry {
			return &LimitError{Field: "retry", Msg: fmt.Sprintf("is %d seconds; priority 2 needs a retry of at least %d", r.Retry, MinRetry)}
		}
		if r.Expire <= 0 || r.Expire > MaxExpire {
			return &LimitError{Field: "expire", Msg: fmt.Sprintf("is %d seconds; priority 2 needs an expire of 1 to %d", r.Expire, MaxExpire)}
		}
	}
	for _, n := range []struct {
		field string
		v     int64
	}{{"ttl", int64(r.TTL)}, {"timestamp", r.Timestamp}, {"retry", int64(r.Retry)}, {"expire", int64(r.Expire)}} {
		if n.v < 0 {
			return &LimitError{Field: n.field, Msg: fmt.Sprintf("is %d; it cannot be negative", n.v)}
		}
	}
	if r.Callback != "" {
		if u, err := url.Parse(r.Callback); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &LimitError{Field: "callback", Msg: "must be an http:// or https:// URL"}
		}
	}
	if r.Attachment != nil {
		if err := r.Attachment.check(); err != nil {
			return err
		}
	}
	return nil
}

// checkKey tests a token or user key: 30 letters and digits.
func checkKey(field, v string) error {
	if v == "" {
		return &LimitError{Field: field, Msg: "is missing"}
	}
	if len(v) != 30 || strings.IndexFunc(v, func(r rune) bool { return !nameRune(r) || r == '_' || r == '-' }) >= 0 {
		return &LimitError{Field: field, Msg: "must be 30 letters and digits, as shown on the Pushover website"}
	}
	return nil
}

// form returns the request's parameters, attachment excluded.
func (r *SendRequest) form() url.Values {
	f := url.Values{"token": {r.Token}, "user": {r.User}, "message": {r.Message}}
	set := func(k, v string) {
		if v != "" {
			f.Set(k, v)
		}
	}
	num := func(k string, v int64) {
		if v != 0 {
			f.Set(k, strconv.FormatInt(v, 10))
		}
	}
	flag := func(k string, v bool) {
		if v {
			f.Set(k, "1")
		}
	}
	set("title", r.Title)
	set("device", r.Device)
	num("priority", int64(r.Priority))
	set("sound", r.Sound)
	num("timestamp", r.Timestamp)
	num("ttl", int64(r.TTL))
	set("url", r.URL)
	set("url_title", r.URLTitle)
	flag("html", r.HTML)
	flag("monospace", r.Monospace)
	num("retry", int64(r.Retry))
	num("expire", int64(r.Expire))
	set("callback", r.Callback)
	set("tags", r.Tags)
	flag("encrypted", r.Encrypted)
	if a := r.Attachment; a != nil && r.AttachmentBase64 {
		f.Set("attachment_base64", base64.StdEncoding.EncodeToString(a.Data))
		f.Set("attachment_type", a.Type)
	}
	return f
}

// Send publishes r after checking it against Pushover's limits. It is never
// retried: a repeat could deliver the message twice.
func (c *Client) Send(ctx context.Context, r SendRequest) (SendResult, error) {
	if err := r.Check(); err != nil {
		return SendResult{}, err
	}
	cl := call{
		op: "send", method: http.MethodPost, path: "/1/messages.json",
		form: r.form(), secrets: scrubber{r.Token},
	}
	if r.Attachment != nil && !r.AttachmentBase64 {
		body, ctype, err := multipartBody(cl.form, r.Attachment)
		if err != nil {
			return SendResult{}, err
		}
		cl.body, cl.ctype = body, ctype
	}
	var out struct {
		Receipt flexString `json:"receipt"`
	}
	resp, err := c.do(ctx, cl, &out)
	if err != nil {
		return SendResult{}, err
	}
	h := resp.header
	limit, _ := strconv.Atoi(h.Get("X-Limit-App-Limit"))
	remaining, _ := strconv.Atoi(h.Get("X-Limit-App-Remaining"))
	return SendResult{
		Request: resp.Request, Receipt: cleanText(string(out.Receipt)),
		Limit: limit, Remaining: remaining, Reset: resetTime(h),
	}, nil
}

func multipartBody(form url.Values, a *Attachment) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			if err := w.WriteField(k, v); err != nil {
				return nil, "", fmt.Errorf("session: send: build the upload: %w", err)
			}
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachment"; filename=%q`, a.Name))
	h.Set("Content-Type", a.Type)
	part, err := w.CreatePart(h)
	if err == nil {
		_, err = part.Write(a.Data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, "", fmt.Errorf("session: send: build the upload: %w", err)
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// Receipt is the state of a priority-2 message, from ReceiptStatus.
type Receipt struct {
	Acknowledged         bool
	AcknowledgedAt       time.Time
	AcknowledgedBy       string // user key
	AcknowledgedByDevice string
	LastDeliveredAt      time.Time
	Expired              bool
	ExpiresAt            time.Time
	CalledBack           bool
	CalledBackAt         time.Time
}

// ReceiptStatus asks whether the emergency with this receipt has been
// acknowledged (Pushover asks to poll no more than every 5 s).
func (c *Client) ReceiptStatus(ctx context.Context, token, receipt string) (Receipt, error) {
	var out struct {
		Acknowledged         flexInt    `json:"acknowledged"`
		AcknowledgedAt       flexInt    `json:"acknowledged_at"`
		AcknowledgedBy       flexString `json:"acknowledged_by"`
		AcknowledgedByDevice flexString `json:"acknowledged_by_device"`
		LastDeliveredAt      flexInt    `json:"last_delivered_at"`
		Expired              flexInt    `json:"expired"`
		ExpiresAt            flexInt    `json:"expires_at"`
		CalledBack           flexInt    `json:"called_back"`
		CalledBackAt         flexInt    `json:"called_back_at"`
	}
	_, err := c.do(ctx, call{
		op: "read the receipt", method: http.MethodGet,
		path:  "/1/receipts/" + url.PathEscape(receipt) + ".json",
		query: url.Values{"token": {token}}, secrets: scrubber{token},
	}, &out)
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{
		Acknowledged:         out.Acknowledged != 0,
		AcknowledgedAt:       unixTime(out.AcknowledgedAt),
		AcknowledgedBy:       cleanText(string(out.AcknowledgedBy)),
		AcknowledgedByDevice: cleanText(string(out.AcknowledgedByDevice)),
		LastDeliveredAt:      unixTime(out.LastDeliveredAt),
		Expired:              out.Expired != 0,
		ExpiresAt:            unixTime(out.ExpiresAt),
		CalledBack:           out.CalledBack != 0,
		CalledBackAt:         unixTime(out.CalledBackAt),
	}, nil
}

// CancelReceipt stops the repeats of the emergency with this receipt.
func (c *Client) CancelReceipt(ctx context.Context, token, receipt string) error {
	_, err := c.do(ctx, call{
		op: "cancel the receipt", method: http.MethodPost,
		path: "/1/receipts/" + url.PathEscape(receipt) + "/cancel.json",
		form: url.Values{"token": {token}}, secrets: scrubber{token},
	}, nil)
	return err
}
