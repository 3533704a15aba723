package sandbox

import (
	"net/http"
	"slices"
	"time"
)

// Publisher endpoints besides messages.json, pushover-api.md 3.2 and 3.3.

// sounds are Pushover's 23 built-in sounds.
var sounds = map[string]string{
	"pushover": "Pushover (default)", "bike": "Bike", "bugle": "Bugle",
	"cashregister": "Cash Register", "classical": "Classical", "cosmic": "Cosmic",
	"falling": "Falling", "gamelan": "Gamelan", "incoming": "Incoming",
	"intermission": "Intermission", "magic": "Magic", "mechanical": "Mechanical",
	"pianobar": "Piano Bar", "siren": "Siren", "spacealarm": "Space Alarm",
	"tugboat": "Tug Boat", "alien": "Alien Alarm (long)", "climb": "Climb (long)",
	"persistent": "Persistent (long)", "echo": "Pushover Echo (long)",
	"updown": "Up Down (long)", "vibrate": "Vibrate Only", "none": "None (silent)",
}

// soundCode is the sound name as sent to clients. Captures show the short
// code "po" for the default sound (the mapping of the others is
// unconfirmed, so they keep their names); a message without a sound gets
// the default, as the captures show a sound on every message.
func soundCode(name string) string {
	if name == "" || name == "pushover" {
		return "po"
	}
	return name
}

// The handlers never write a reply while holding s.mu: a client that
// reads slowly, or an injected stall, must not hold up the whole server.

// errToken and errReceipt are Pushover's errors for an unknown token and
// for a receipt that is unknown or another app's (both look the same to
// the caller, as for Pushover, so receipts cannot be probed).
func errToken() *APIError {
	return &APIError{Status: http.StatusBadRequest, Errors: []string{"application token is invalid"}, Invalid: []string{"token"}}
}

// knownApp reports whether token names an application, for the calls that
// need nothing else of it.
func (s *Server) knownApp(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.Apps[token] != nil
}

func errReceipt() *APIError {
	return &APIError{Status: http.StatusBadRequest,
		Errors: []string{"receipt not found; may be invalid or expired"}, Invalid: []string{"receipt"}}
}

// receiptOfLocked resolves a token and one of its app's receipts.
func (s *Server) receiptOfLocked(token, id string) (*receipt, *APIError) {
	ap := s.st.Apps[token]
	if ap == nil {
		return nil, errToken()
	}
	rc := s.st.Receipts[id]
	if rc == nil || rc.Token != ap.Token {
		return nil, errReceipt()
	}
	return rc, nil
}

// handleReceipt serves GET /1/receipts/{receipt}.json.
func (s *Server) handleReceipt(w http.ResponseWriter, r *http.Request, path []string) {
	s.mu.Lock()
	rc, e := s.receiptOfLocked(r.URL.Query().Get("token"), path[0])
	if e != nil {
		s.mu.Unlock()
		s.failAPI(w, e)
		return
	}
	expired := rc.expireDue(time.Now())
	// expires_at is the nominal time; when Options.RetryUnit scales the
	// schedule, `expired` follows the scaled timer.
	body := map[string]any{
		"acknowledged":           b2i(rc.AcknowledgedAt != 0),
		"acknowledged_at":        rc.AcknowledgedAt,
		"acknowledged_by":        rc.AcknowledgedBy,
		"acknowledged_by_device": rc.AcknowledgedByDevice,
		"last_delivered_at":      rc.LastDeliveredAt,
		"expired":                b2i(rc.Expired),
		"expires_at":             rc.ExpiresAt,
		"called_back":            b2i(rc.CalledBackAt != 0),
		"called_back_at":         rc.CalledBackAt,
	}
	s.mu.Unlock()
	if expired {
		s.dirty()
	}
	s.reply(w, http.StatusOK, body)
}

// handleCancel serves POST /1/receipts/{receipt}/cancel.json: the repeats
// stop. Cancelling twice, or after acknowledgement or expiry, succeeds and
// leaves the receipt as it was: a receipt ends in one state only.
func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request, path []string) {
	p, err := s.readParams(r)
	if err != nil {
		s.failParse(w, err)
		return
	}
	s.mu.Lock()
	rc, e := s.receiptOfLocked(p.Get("token"), path[0])
	if e != nil {
		s.mu.Unlock()
		s.failAPI(w, e)
		return
	}
	rc.expireDue(time.Now())
	if rc.pending() {
		rc.Canceled = true
	}
	s.mu.Unlock()
	s.dirty()
	s.kick(s.kickRepeat)
	s.reply(w, http.StatusOK, nil)
}

// handleCancelByTag serves POST /1/receipts/cancel_by_tag/{tag}.json: every
// pending emergency of the app carrying the tag stops; `canceled` counts them.
func (s *Server) handleCancelByTag(w http.ResponseWriter, r *http.Request, path []string) {
	p, err := s.readParams(r)
	if err != nil {
		s.failParse(w, err)
		return
	}
	s.mu.Lock()
	ap := s.st.Apps[p.Get("token")]
	if ap == nil {
		s.mu.Unlock()
		s.failAPI(w, errToken())
		return
	}
	n, mono := 0, time.Now()
	for _, rc := range s.st.Receipts {
		rc.expireDue(mono)
		if rc.Token == ap.Token && rc.pending() && slices.Contains(rc.Tags, path[0]) {
			rc.Canceled = true
			n++
		}
	}
	s.mu.Unlock()
	s.dirty()
	s.kick(s.kickRepeat)
	s.reply(w, http.StatusOK, map[string]any{"canceled": n})
}

// handleSounds serves GET /1/sounds.json.
func (s *Server) handleSounds(w http.ResponseWriter, r *http.Request, _ []string) {
	if !s.knownApp(r.URL.Query().Get("token")) {
		s.failAPI(w, errToken())
		return
	}
	s.reply(w, http.StatusOK, map[string]any{"sounds": sounds})
}

// handleLimits serves GET /1/apps/limits.json.
func (s *Server) handleLimits(w http.ResponseWriter, r *http.Request, _ []string) {
	s.mu.Lock()
	ap := s.st.Apps[r.URL.Query().Get("token")]
	if ap == nil {
		s.mu.Unlock()
		s.failAPI(w, errToken())
		return
	}
	if s.now().Unix() >= ap.ResetAt {
		ap.Used, ap.ResetAt = 0, quotaReset(s.now())
	}
	limit, remaining, reset := s.opts.AppLimit, max(0, s.opts.AppLimit-ap.Used), ap.ResetAt
	s.mu.Unlock()
	s.reply(w, http.StatusOK, map[string]any{"limit": limit, "remaining": remaining, "reset": reset})
}

// handleValidate serves POST /1/users/validate.json. A bad token is 400 with
// "token":"invalid"; an unknown user key, or one without an active device
// (or without the named device), is 400 with "user":"invalid" (or
// "device":"invalid"): the unconfirmed shapes of pushover-api.md 3.3,
// chosen to match messages.json.
func (s *Server) handleValidate(w http.ResponseWriter, r *http.Request, _ []string) {
	p, err := s.readParams(r)
	if err != nil {
		s.failParse(w, err)
		return
	}
	body, e := s.validateUser(p.Get("token"), p.Get("user"), p.Get("device"))
	if e != nil {
		s.failAPI(w, e)
		return
	}
	s.reply(w, http.StatusOK, body)
}

// validateUser is validate.json's answer, or its error.
func (s *Server) validateUser(token, key, dev string) (map[string]any, *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.Apps[token] == nil {
		return nil, errToken()
	}
	bad := func(param, msg string) *APIError {
		return &APIError{Status: http.StatusBadRequest, Errors: []string{msg}, Invalid: []string{param}}
	}
	if g := s.st.Groups[key]; g != nil {
		return map[string]any{"group": 1, "devices": []string{}, "licenses": []string{}}, nil
	}
	acc := s.st.Accounts[key]
	if acc == nil {
		return nil, bad("user", "user key is invalid")
	}
	names := []string{}
	for _, id := range acc.Devices {
		if d := s.st.Devices[id]; d != nil {
			names = append(names, d.Name)
		}
	}
	switch {
	case dev != "" && !slices.Contains(names, dev):
		return nil, bad("device", "device name is not valid for user")
	case len(names) == 0:
		return nil, bad("user", "user has no active devices")
	}
	licenses := []string{"Desktop"} // Open Client devices count as Desktop
	return map[string]any{"group": 0, "devices": names, "licenses": licenses}, nil
}
