package sandbox

import (
	"net/http"
	"slices"
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

// appFromToken resolves the token parameter of a publisher call, writing
// Pushover's error when it is not a known app.
func (s *Server) appFromTokenLocked(w http.ResponseWriter, token string) *app {
	ap := s.st.Apps[token]
	if ap == nil {
		s.failAPI(w, &APIError{Status: http.StatusBadRequest,
			Errors: []string{"application token is invalid"}, Invalid: []string{"token"}})
	}
	return ap
}

// receiptLocked resolves a receipt of the app, writing the error if it is
// unknown or another app's (both look the same to the caller, as for
// Pushover, so receipts cannot be probed).
func (s *Server) receiptLocked(w http.ResponseWriter, ap *app, id string) *receipt {
	rc := s.st.Receipts[id]
	if rc == nil || rc.Token != ap.Token {
		s.failAPI(w, &APIError{Status: http.StatusBadRequest,
			Errors: []string{"receipt not found; may be invalid or expired"}, Invalid: []string{"receipt"}})
		return nil
	}
	return rc
}

// handleReceipt serves GET /1/receipts/{receipt}.json.
func (s *Server) handleReceipt(w http.ResponseWriter, r *http.Request, path []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ap := s.appFromTokenLocked(w, r.URL.Query().Get("token"))
	if ap == nil {
		return
	}
	rc := s.receiptLocked(w, ap, path[0])
	if rc == nil {
		return
	}
	// expires_at is the nominal time; when Options.RetryUnit scales the
	// schedule, `expired` follows the scaled timer.
	s.reply(w, http.StatusOK, map[string]any{
		"acknowledged":           b2i(rc.AcknowledgedAt != 0),
		"acknowledged_at":        rc.AcknowledgedAt,
		"acknowledged_by":        rc.AcknowledgedBy,
		"acknowledged_by_device": rc.AcknowledgedByDevice,
		"last_delivered_at":      rc.LastDeliveredAt,
		"expired":                b2i(rc.Expired),
		"expires_at":             rc.ExpiresAt,
		"called_back":            b2i(rc.CalledBackAt != 0),
		"called_back_at":         rc.CalledBackAt,
	})
}

// handleCancel serves POST /1/receipts/{receipt}/cancel.json: the repeats
// stop. Cancelling twice, or after acknowledgement, succeeds.
func (s *Server) handleCancel(w http.ResponseWriter, r *http.Request, path []string) {
	p, err := s.readParams(r)
	if err != nil {
		s.failParse(w, err)
		return
	}
	s.mu.Lock()
	ap := s.appFromTokenLocked(w, p.Get("token"))
	if ap == nil {
		s.mu.Unlock()
		return
	}
	rc := s.receiptLocked(w, ap, path[0])
	if rc == nil {
		s.mu.Unlock()
		return
	}
	rc.Canceled = true
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
	ap := s.appFromTokenLocked(w, p.Get("token"))
	if ap == nil {
		s.mu.Unlock()
		return
	}
	n := 0
	for _, rc := range s.st.Receipts {
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
	s.mu.Lock()
	ap := s.appFromTokenLocked(w, r.URL.Query().Get("token"))
	s.mu.Unlock()
	if ap == nil {
		return
	}
	s.reply(w, http.StatusOK, map[string]any{"sounds": sounds})
}

// handleLimits serves GET /1/apps/limits.json.
func (s *Server) handleLimits(w http.ResponseWriter, r *http.Request, _ []string) {
	s.mu.Lock()
	ap := s.appFromTokenLocked(w, r.URL.Query().Get("token"))
	if ap == nil {
		s.mu.Unlock()
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
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.appFromTokenLocked(w, p.Get("token")) == nil {
		return
	}
	key, dev := p.Get("user"), p.Get("device")
	bad := func(param, msg string) {
		s.failAPI(w, &APIError{Status: http.StatusBadRequest, Errors: []string{msg}, Invalid: []string{param}})
	}
	if g := s.st.Groups[key]; g != nil {
		s.reply(w, http.StatusOK, map[string]any{"group": 1, "devices": []string{}, "licenses": []string{}})
		return
	}
	acc := s.st.Accounts[key]
	if acc == nil {
		bad("user", "user key is invalid")
		return
	}
	names := []string{}
	for _, id := range acc.Devices {
		if d := s.st.Devices[id]; d != nil {
			names = append(names, d.Name)
		}
	}
	switch {
	case dev != "" && !slices.Contains(names, dev):
		bad("device", "device name is not valid for user")
	case len(names) == 0:
		bad("user", "user has no active devices")
	default:
		licenses := []string{"Desktop"} // Open Client devices count as Desktop
		s.reply(w, http.StatusOK, map[string]any{"group": 0, "devices": names, "licenses": licenses})
	}
}
