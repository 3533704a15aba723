package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"
)

// The Open Client REST API, pushover-api.md section 1.

// handleLogin serves POST /1/users/login.json.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request, _ []string) {
	p, err := s.readParams(r)
	if err != nil {
		s.failParse(w, err)
		return
	}
	email, password, twofa := p.Get("email"), p.Get("password"), p.Get("twofa")
	var blank []string
	if email == "" {
		blank = append(blank, "email cannot be blank")
	}
	if password == "" {
		blank = append(blank, "password cannot be blank")
	}
	if len(blank) > 0 {
		s.fail(w, http.StatusBadRequest, blank...)
		return
	}
	s.mu.Lock()
	acc := s.st.byEmail[email] // e-mail and password are case-sensitive
	if acc == nil || acc.Password != password {
		s.mu.Unlock()
		// Unconfirmed status: 400, Pushover's usual "wrong input" code.
		// The text does not say which of the two was wrong.
		s.fail(w, http.StatusBadRequest, "invalid email and/or password")
		return
	}
	if acc.TwoFA != "" && twofa != acc.TwoFA {
		s.mu.Unlock()
		// 412 asks for the code; the wording is unconfirmed, so clients
		// branch on the status. A wrong code is answered the same way.
		msg := "two-factor authentication code required"
		if twofa != "" {
			msg = "two-factor authentication code is invalid"
		}
		s.fail(w, http.StatusPreconditionFailed, msg)
		return
	}
	// A new login mints a new secret; older secrets stay valid
	// (unconfirmed), since every device keeps its own.
	secret := s.newSecretLocked(acc)
	key := acc.UserKey
	s.mu.Unlock()
	s.dirty()
	s.reply(w, http.StatusOK, map[string]any{"id": key, "secret": secret})
}

// handleRegister serves POST /1/devices.json. Its errors are an object of
// field -> array of strings, unlike every other endpoint.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request, _ []string) {
	p, err := s.readParams(r)
	if err != nil {
		s.failParse(w, err)
		return
	}
	secret, name, os := p.Get("secret"), p.Get("name"), p.Get("os")
	errs := map[string][]string{}
	switch {
	case name == "":
		errs["name"] = []string{"can't be blank"}
	case utf8.RuneCountInString(name) > 25:
		errs["name"] = []string{"is too long (maximum is 25 characters)"}
	case !deviceName.MatchString(name):
		errs["name"] = []string{"is invalid"}
	}
	if os != "O" {
		errs["os"] = []string{"is not included in the list"}
	}

	s.mu.Lock()
	acc := s.st.bySecret[secret]
	if acc == nil {
		// Unconfirmed wording; the field is what pushover-api.md 1.2 says.
		errs["secret"] = []string{"is invalid"}
	} else if errs["name"] == nil && s.st.deviceNamed(acc, name) != nil {
		errs["name"] = []string{"has already been taken"}
	}
	if len(errs) > 0 {
		s.mu.Unlock()
		s.reply(w, http.StatusBadRequest, map[string]any{"errors": errs})
		return
	}
	d := s.registerLocked(acc, secret, name)
	s.mu.Unlock()
	s.dirty()
	s.reply(w, http.StatusOK, map[string]any{"id": d.ID})
}

// accountDevice resolves the secret and device id of a call. It returns
// the error text for a 400 when they do not match; bad secrets and unknown
// devices are 400 (unconfirmed code), which clients treat as "log in again".
func (s *Server) accountDeviceLocked(secret, deviceID string) (*account, *device, string) {
	acc := s.st.bySecret[secret]
	if acc == nil {
		return nil, nil, "secret is invalid; log in again"
	}
	d := s.st.Devices[deviceID]
	if d == nil || d.UserKey != acc.UserKey {
		return nil, nil, "device_id is invalid; register the device again"
	}
	return acc, d, ""
}

// handleDeleteUpTo serves POST /1/devices/{device}/update_highest_message.json:
// every message of this device with id <= message is deleted (inclusive).
func (s *Server) handleDeleteUpTo(w http.ResponseWriter, r *http.Request, path []string) {
	p, err := s.readParams(r)
	if err != nil {
		s.failParse(w, err)
		return
	}
	upto, err := strconv.ParseInt(p.num("message"), 10, 64)
	if err != nil {
		s.fail(w, http.StatusBadRequest, "message must be a message id")
		return
	}
	s.mu.Lock()
	_, d, msg := s.accountDeviceLocked(p.Get("secret"), path[0])
	if msg != "" {
		s.mu.Unlock()
		s.fail(w, http.StatusBadRequest, msg)
		return
	}
	note := s.deleteUpToLocked(d, upto)
	s.mu.Unlock()
	s.log.note("%s", note)
	s.dirty()
	s.reply(w, http.StatusOK, nil)
}

// deleteUpToLocked removes the copies with id <= upto and returns a line
// for the log. An id above every id the device was issued is accepted
// (unconfirmed) and only empties the queue: later messages still get the
// device's next ids, and nothing hides them, even those below such a
// watermark. A delete above every id a download offered the device drops
// messages the client never saw: Pushover accepts it, so the sandbox does
// too, but counts it (Device.DeletesAboveSent) and says so in the log.
func (s *Server) deleteUpToLocked(d *device, upto int64) string {
	before := d.queueLen()
	d.deleteUpTo(upto)
	d.HighestDeleted = max(d.HighestDeleted, upto)
	note := fmt.Sprintf("device %q: deleted up to %d (%d removed, %d left; downloads offered up to %d)",
		d.Name, upto, before-d.queueLen(), d.queueLen(), d.HighestSent)
	if upto > d.HighestSent {
		d.DeletesAboveSent++
		note += "; ABOVE EVERY ID SENT: messages the client never downloaded are lost"
	}
	return note
}

// handleAcknowledge serves POST /1/receipts/{receipt}/acknowledge.json.
func (s *Server) handleAcknowledge(w http.ResponseWriter, r *http.Request, path []string) {
	p, err := s.readParams(r)
	if err != nil {
		s.failParse(w, err)
		return
	}
	s.mu.Lock()
	acc := s.st.bySecret[p.Get("secret")]
	if acc == nil {
		s.mu.Unlock()
		s.fail(w, http.StatusBadRequest, "secret is invalid; log in again")
		return
	}
	rc := s.st.Receipts[path[0]]
	if rc == nil || !slices.ContainsFunc(rc.Targets, func(t target) bool { return t.User == acc.UserKey }) {
		s.mu.Unlock()
		s.fail(w, http.StatusBadRequest, "receipt not found; may be invalid or expired")
		return
	}
	// The call carries only the secret: the acknowledging device is the one
	// last registered with that secret.
	byID, byName := acc.Secrets[p.Get("secret")], ""
	if d := s.st.Devices[byID]; d != nil {
		byName = d.Name
	}
	notify, cb := s.acknowledgeLocked(rc, acc.UserKey, byID, byName)
	s.mu.Unlock()
	s.dirty()
	s.kick(s.kickRepeat)
	s.ws.notify(notify)
	if cb != nil {
		s.callBack(*cb)
	}
	s.reply(w, http.StatusOK, nil)
}
