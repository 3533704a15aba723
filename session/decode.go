package session

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// reply holds the fields every Pushover reply may carry. Decoding is
// tolerant: unknown keys are ignored and numbers may come as strings.
type reply struct {
	Status  flexInt   `json:"status"`
	Request string    `json:"request"`
	Errors  errorList `json:"errors"`
	// invalid lists parameters the publisher API flagged with the value
	// "invalid" at the top level, e.g. {"user":"invalid"}.
	invalid []string
}

// decodeReply reads the common fields and the invalid-parameter markers.
func decodeReply(body []byte) (reply, error) {
	var r reply
	if err := json.Unmarshal(body, &r); err != nil {
		return r, err
	}
	var all map[string]json.RawMessage
	if json.Unmarshal(body, &all) == nil {
		for k, v := range all {
			if bytes.Equal(bytes.TrimSpace(v), []byte(`"invalid"`)) {
				r.invalid = append(r.invalid, cleanText(k))
			}
		}
		sort.Strings(r.invalid)
	}
	r.Request = cleanText(r.Request)
	return r, nil
}

// errorList is Pushover's `errors`: normally an array of strings, but
// devices.json sends an object of field -> array of strings. Both become
// one list of sentences ("name has already been taken"); Fields keeps the
// object's keys so callers can tell which parameter was refused.
type errorList struct {
	Msgs   []string
	Fields map[string][]string
}

// UnmarshalJSON implements json.Unmarshaler.
func (l *errorList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || bytes.Equal(b, []byte("null")):
		return nil
	case b[0] == '[':
		var items []json.RawMessage
		if err := json.Unmarshal(b, &items); err != nil {
			return err
		}
		for _, it := range items {
			l.Msgs = append(l.Msgs, rawText(it)...)
		}
	case b[0] == '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			return err
		}
		l.Fields = make(map[string][]string, len(obj))
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			field := cleanText(k)
			for _, m := range rawText(obj[k]) {
				l.Fields[field] = append(l.Fields[field], m)
				l.Msgs = append(l.Msgs, field+" "+m)
			}
		}
	default:
		l.Msgs = append(l.Msgs, rawText(b)...)
	}
	return nil
}

// rawText turns a JSON string, array of strings or other value into text.
func rawText(b json.RawMessage) []string {
	var s string
	if json.Unmarshal(b, &s) == nil {
		return []string{cleanText(s)}
	}
	var list []json.RawMessage
	if json.Unmarshal(b, &list) == nil {
		var out []string
		for _, it := range list {
			out = append(out, rawText(it)...)
		}
		return out
	}
	return []string{cleanText(string(b))}
}

// maxServerText bounds how much of a server's text reaches an error.
const maxServerText = 300

// cleanText makes server-supplied text safe to print on a terminal: control
// characters (escape sequences included) are dropped and the length is
// bounded.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, s)
	if len([]rune(s)) > maxServerText {
		s = string([]rune(s)[:maxServerText]) + "…"
	}
	return strings.TrimSpace(s)
}

// flexInt decodes a JSON number, a numeric string, a boolean or null.
type flexInt int64

// UnmarshalJSON implements json.Unmarshaler.
func (n *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*n = 0
		return nil
	case bytes.Equal(b, []byte("true")):
		*n = 1
		return nil
	case bytes.Equal(b, []byte("false")):
		*n = 0
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if s = strings.TrimSpace(s); s == "" {
			*n = 0
			return nil
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		// A float such as 1.0 or 1e3: accept it only if it is whole and
		// small enough to be exact.
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != float64(int64(f)) || f > 1<<53 || f < -(1<<53) {
			return fmt.Errorf("not a whole number: %.40q", s)
		}
		v = int64(f)
	}
	*n = flexInt(v)
	return nil
}

// flexString decodes a JSON string, number, boolean or null as text.
type flexString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if bytes.Equal(b, []byte("null")) {
		*s = ""
		return nil
	}
	var str string
	if err := json.Unmarshal(b, &str); err == nil {
		*s = flexString(str)
		return nil
	}
	*s = flexString(b)
	return nil
}

// pickID returns the exact id: the *_str twin when it parses (it can never
// have lost precision), else the number.
func pickID(num flexInt, str flexString) int64 {
	if v, err := strconv.ParseInt(strings.TrimSpace(string(str)), 10, 64); err == nil {
		return v
	}
	return int64(num)
}
