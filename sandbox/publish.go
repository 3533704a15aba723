package sandbox

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The publisher's POST /1/messages.json, pushover-api.md section 3.1.

// Pushover's limits.
const (
	maxMessage    = 1024 // characters, not bytes
	maxTitle      = 250
	maxURL        = 512
	maxURLTitle   = 100
	maxUsers      = 50
	maxExpire     = 10800
	maxRepeats    = 50 // deliveries of one emergency, the first included
	maxAttachment = 5242880
)

// quota is the app allowance reported in the X-Limit-App-* headers.
type quota struct {
	limit, remaining int
	reset            int64
}

// Publish publishes a message as POST /1/messages.json would, with the same
// validation and quota. A failure is an *APIError.
func (s *Server) Publish(m Message) (Published, error) {
	pub, _, err := s.publish(m, &APIError{Status: http.StatusBadRequest}, false)
	if err != nil {
		return Published{}, err
	}
	return pub, nil
}

// handlePublish serves POST /1/messages.json.
func (s *Server) handlePublish(w http.ResponseWriter, r *http.Request, _ []string) {
	p, err := s.readParams(r)
	if err != nil {
		s.failParse(w, err)
		return
	}
	e := &APIError{Status: http.StatusBadRequest}
	m := messageFromParams(p, e)
	pub, q, err := s.publish(m, e, false)
	if q != nil {
		h := w.Header()
		h.Set("X-Limit-App-Limit", strconv.Itoa(q.limit))
		h.Set("X-Limit-App-Remaining", strconv.Itoa(q.remaining))
		h.Set("X-Limit-App-Reset", strconv.FormatInt(q.reset, 10))
	}
	if err != nil {
		s.failAPI(w, err.(*APIError))
		return
	}
	body := map[string]any{"status": 1, "request": pub.Request}
	if pub.Receipt != "" {
		body["receipt"] = pub.Receipt
	}
	writeJSON(w, http.StatusOK, body)
}

// messageFromParams reads the MessageRequest parameters; unparsable numbers
// and flags are recorded in e.
func messageFromParams(p *params, e *APIError) Message {
	m := Message{
		Token: p.Get("token"), User: p.Get("user"), Message: p.Get("message"),
		Title: p.Get("title"), Device: p.Get("device"), Sound: p.Get("sound"),
		URL: p.Get("url"), URLTitle: p.Get("url_title"),
		Callback: p.Get("callback"), Tags: p.Get("tags"),
		AttachmentBase64: p.Get("attachment_base64"), AttachmentType: p.Get("attachment_type"),
	}
	p.intParam(e, "priority", &m.Priority)
	p.intParam(e, "retry", &m.Retry)
	p.intParam(e, "expire", &m.Expire)
	p.intParam(e, "ttl", &m.TTL)
	if v := p.num("timestamp"); v != "" {
		ts, err := strconv.ParseInt(v, 10, 64)
		if err != nil || ts <= 0 {
			e.add("timestamp", "timestamp is invalid")
		}
		m.Timestamp = ts
	}
	p.boolParam(e, "html", &m.HTML)
	p.boolParam(e, "monospace", &m.Monospace)
	p.boolParam(e, "encrypted", &m.Encrypted)
	if p.hasFile {
		m.Attachment = p.file
		if m.AttachmentType == "" {
			m.AttachmentType = p.fileType
		}
		if len(m.Attachment) == 0 {
			e.add("attachment", "attachment is empty")
		}
	}
	return m
}

// validateText checks the length (in characters) and encoding of a field.
func validateText(e *APIError, name, v string, limit int) {
	switch {
	case !utf8.ValidString(v):
		e.add(name, name+" must be valid UTF-8")
	case utf8.RuneCountInString(v) > limit:
		e.add(name, name+" cannot be longer than "+strconv.Itoa(limit)+" characters")
	}
}

// validate checks every parameter that needs no state.
func (s *Server) validate(m Message, e *APIError) {
	if strings.TrimSpace(m.Message) == "" {
		e.add("message", "message cannot be blank")
	}
	validateText(e, "message", m.Message, maxMessage)
	validateText(e, "title", m.Title, maxTitle)
	validateText(e, "url", m.URL, maxURL)
	validateText(e, "url_title", m.URLTitle, maxURLTitle)
	if m.Priority < -2 || m.Priority > 2 {
		e.add("priority", "priority must be -2, -1, 0, 1 or 2")
	}
	if m.Priority == 2 {
		switch {
		case m.Retry == 0:
			e.add("retry", "retry is required for emergency-priority messages")
		case m.Retry < s.opts.MinRetry:
			e.add("retry", "retry must be at least "+strconv.Itoa(s.opts.MinRetry)+" seconds")
		}
		switch {
		case m.Expire == 0:
			e.add("expire", "expire is required for emergency-priority messages")
		case m.Expire < 0 || m.Expire > maxExpire:
			e.add("expire", "expire must be between 1 and 10800 seconds")
		}
		if m.Callback != "" {
			u, err := url.Parse(m.Callback)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(m.Callback) > maxURL {
				e.add("callback", "callback must be an http or https URL")
			}
		}
	}
	if m.Sound != "" {
		if _, ok := sounds[m.Sound]; !ok {
			e.add("sound", "sound is invalid")
		}
	}
	if m.Device != "" {
		for _, n := range strings.Split(m.Device, ",") {
			if !deviceName.MatchString(strings.TrimSpace(n)) {
				e.add("device", "device name is invalid")
				break
			}
		}
	}
	if m.HTML && m.Monospace {
		e.add("monospace", "html and monospace cannot be used together")
	}
	if m.TTL < 0 {
		e.add("ttl", "ttl must be a positive number of seconds")
	}
	if m.Timestamp < 0 {
		e.add("timestamp", "timestamp is invalid")
	}
	validateAttachment(m, e)
}

func validateAttachment(m Message, e *APIError) {
	size := len(m.Attachment)
	if m.AttachmentBase64 != "" {
		b, err := base64.StdEncoding.DecodeString(m.AttachmentBase64)
		if err != nil {
			e.add("attachment_base64", "attachment_base64 is not valid Base64")
		}
		size = max(size, len(b))
	}
	if size > maxAttachment {
		e.add("attachment", "attachment cannot be larger than 5242880 bytes")
	}
	if m.AttachmentType != "" && !strings.HasPrefix(m.AttachmentType, "image/") {
		e.add("attachment_type", "attachment_type must be an image type")
	}
}

// publish validates and delivers m. The quota is returned whenever the
// token is valid, for the X-Limit-App-* headers of every reply. backlog
// keeps a copy for devices registered later (Seed only).
func (s *Server) publish(m Message, e *APIError, backlog bool) (Published, *quota, error) {
	s.validate(m, e)
	s.mu.Lock()
	ap := s.st.Apps[m.Token]
	if ap == nil {
		e.add("token", "application token is invalid")
	}
	users := s.recipientsLocked(m.User, e)
	var q *quota
	if ap != nil {
		now := s.now()
		if now.Unix() >= ap.ResetAt {
			ap.Used, ap.ResetAt = 0, quotaReset(now)
		}
		q = &quota{limit: s.opts.AppLimit, remaining: max(0, s.opts.AppLimit-ap.Used), reset: ap.ResetAt}
	}
	if len(e.Errors) > 0 {
		s.mu.Unlock()
		return Published{}, q, e
	}
	devs := s.targetDevicesLocked(users, m.Device)
	if devs == nil {
		s.mu.Unlock()
		e.add("device", "device name is not valid for user")
		return Published{}, q, e
	}
	// One message is one delivery to one user (each group member counts).
	if ap.Used+len(users) > s.opts.AppLimit {
		s.mu.Unlock()
		return Published{}, q, &APIError{Status: http.StatusTooManyRequests,
			Errors: []string{"application has exceeded its monthly message limit; wait for the reset (X-Limit-App-Reset)"}}
	}
	ap.Used += len(users)
	q.remaining = s.opts.AppLimit - ap.Used
	pub := Published{Request: newRequestID()}
	s.attachments.add(pub.Request, m)
	notify := s.deliverLocked(ap, m, users, devs, &pub, backlog)
	s.mu.Unlock()
	s.dirty()
	if pub.Receipt != "" {
		s.kick(s.kickRepeat)
	}
	s.ws.notify(notify)
	return pub, q, nil
}

// recipientsLocked expands the user parameter (user and group keys,
// comma-separated) into distinct user keys. Unknown keys are invalid.
func (s *Server) recipientsLocked(list string, e *APIError) []string {
	keys := strings.Split(list, ",")
	if len(keys) > maxUsers {
		e.add("user", "too many users (the limit is 50)")
		return nil
	}
	var users []string
	seen := map[string]bool{}
	for _, k := range keys {
		k = strings.TrimSpace(k)
		var members []string
		if s.st.Accounts[k] != nil {
			members = []string{k}
		} else if g := s.st.Groups[k]; g != nil && isKey(k) {
			members = g.Members
		} else {
			e.add("user", "user identifier is invalid")
			return nil
		}
		for _, u := range members {
			if !seen[u] {
				seen[u] = true
				users = append(users, u)
			}
		}
	}
	return users
}

// targetDevicesLocked lists, per user, the devices a message reaches: all of
// them, or those named in `device`. A user without devices is accepted and
// receives nothing (the publisher can check with validate.json first). It
// returns nil when device names were given and none matched any user.
func (s *Server) targetDevicesLocked(users []string, names string) [][]*device {
	out := make([][]*device, len(users))
	matched := names == ""
	for i, u := range users {
		acc := s.st.Accounts[u]
		out[i] = []*device{}
		for _, id := range acc.Devices {
			d := s.st.Devices[id]
			if d != nil && (names == "" || nameIn(d.Name, names)) {
				out[i] = append(out[i], d)
				matched = true
			}
		}
	}
	if !matched {
		return nil
	}
	return out
}

func nameIn(name, list string) bool {
	for _, n := range strings.Split(list, ",") {
		if strings.TrimSpace(n) == name {
			return true
		}
	}
	return false
}

// quotaReset is the next reset of the monthly allowance: 00:00 US Central
// on the 1st of the next month.
func quotaReset(now time.Time) int64 {
	t := now.In(central)
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, central).Unix()
}

// central is US Central time; without tzdata, its standard offset.
var central = func() *time.Location {
	if loc, err := time.LoadLocation("America/Chicago"); err == nil {
		return loc
	}
	return time.FixedZone("CST", -6*3600)
}()
