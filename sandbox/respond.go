package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
)

// APIError is a Pushover failure: the HTTP status, the `errors` array and
// the parameters named invalid ("user":"invalid"). Publish returns it, and
// the HTTP handlers write it as Pushover's error body.
type APIError struct {
	Status  int
	Errors  []string
	Invalid []string // parameter names; each becomes "<name>":"invalid"
}

func (e *APIError) Error() string {
	return fmt.Sprintf("sandbox: HTTP %d: %s", e.Status, strings.Join(e.Errors, "; "))
}

// add records one invalid parameter and its message.
func (e *APIError) add(param, msg string) {
	e.Errors = append(e.Errors, msg)
	if param != "" {
		for _, p := range e.Invalid {
			if p == param {
				return
			}
		}
		e.Invalid = append(e.Invalid, param)
	}
}

func (e *APIError) body() map[string]any {
	body := map[string]any{"errors": e.Errors}
	for _, p := range e.Invalid {
		if p == "errors" || p == "status" || p == "request" {
			continue // a parameter can never shadow the envelope
		}
		body[p] = "invalid"
	}
	return body
}

// reply writes a JSON body with `status` (1 below HTTP 400, else 0) and a
// fresh `request` id, as every Pushover reply has.
func (s *Server) reply(w http.ResponseWriter, code int, body map[string]any) string {
	if body == nil {
		body = make(map[string]any, 2)
	}
	if code < 400 {
		body["status"] = 1
	} else {
		body["status"] = 0
	}
	id := newRequestID()
	body["request"] = id
	writeJSON(w, code, body)
	return id
}

func writeJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body) // the client went away; nothing to do
}

// fail writes the usual error body: `errors` as an array of strings.
func (s *Server) fail(w http.ResponseWriter, code int, msgs ...string) {
	s.reply(w, code, map[string]any{"errors": msgs})
}

// failAPI writes an APIError.
func (s *Server) failAPI(w http.ResponseWriter, e *APIError) {
	s.reply(w, e.Status, e.body())
}

// failFields writes devices.json's error shape: `errors` is an object of
// field -> array of strings.
func (s *Server) failFields(w http.ResponseWriter, code int, field, msg string) {
	s.reply(w, code, map[string]any{"errors": map[string][]string{field: {msg}}})
}

// failParse answers a body that could not be read: 413 when it was too
// large, 400 when it was malformed.
func (s *Server) failParse(w http.ResponseWriter, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.fail(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is too large (limit %d bytes)", tooBig.Limit))
		return
	}
	s.fail(w, http.StatusBadRequest, "request body is malformed: "+clip(err.Error(), 200))
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomKey returns n characters of [A-Za-z0-9]: 30 for tokens, user keys
// and receipts, 40 for device ids, 60 for secrets (pushover-api.md 0).
// math/rand/v2's global source is ChaCha8 seeded from the OS, unpredictable
// enough for a sandbox.
func randomKey(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[rand.IntN(len(alnum))]
	}
	return string(b)
}

// isKey reports whether k looks like a token, user key or receipt.
func isKey(k string) bool {
	if len(k) != 30 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if strings.IndexByte(alnum, k[i]) < 0 {
			return false
		}
	}
	return true
}

// newRequestID returns a UUID-like request id as Pushover sends.
func newRequestID() string {
	a, b := rand.Uint64(), rand.Uint64()
	b = b&^(0xf<<60) | 0x8<<60 // variant bits
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
		a>>32, (a>>16)&0xffff, a&0xfff, b>>48, b&0xffffffffffff)
}
