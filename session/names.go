package session

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxDeviceName is the longest device name Pushover accepts.
const MaxDeviceName = 25

// CheckDeviceName reports whether name is a valid device name: 1-25
// characters of [A-Za-z0-9_-].
func CheckDeviceName(name string) error {
	if name == "" {
		return &LimitError{Field: "device name", Msg: "is empty: use 1-25 letters, digits, _ or -"}
	}
	if n := len(name); n > MaxDeviceName {
		return &LimitError{Field: "device name", Msg: fmt.Sprintf("%q is %d characters; the limit is %d", name, n, MaxDeviceName)}
	}
	for _, r := range name {
		if !nameRune(r) {
			return &LimitError{Field: "device name", Msg: fmt.Sprintf("%q contains %q: use only letters, digits, _ or -", name, r)}
		}
	}
	return nil
}

func nameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-'
}

// DeviceNameFrom makes a valid device name from s (typically the host
// name): the first label of a dotted name, other characters replaced by
// '-', at most 25 characters; "pobox" when nothing usable is left.
func DeviceNameFrom(s string) string {
	if i := strings.IndexByte(s, '.'); i > 0 {
		s = s[:i]
	}
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= MaxDeviceName {
			break
		}
		if nameRune(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-_")
	if name == "" {
		return "pobox"
	}
	return name
}

// NextDeviceName returns the variant to try after name was refused as
// taken: "laptop" -> "laptop-2", "laptop-2" -> "laptop-3", shortened so
// that the result stays within 25 characters.
func NextDeviceName(name string) string {
	stem, n := name, 1
	if i := strings.LastIndexByte(name, '-'); i > 0 {
		if v, err := strconv.Atoi(name[i+1:]); err == nil && v > 0 && !strings.HasPrefix(name[i+1:], "0") {
			stem, n = name[:i], v
		}
	}
	suffix := "-" + strconv.Itoa(n+1)
	if len(stem)+len(suffix) > MaxDeviceName {
		stem = stem[:MaxDeviceName-len(suffix)]
	}
	return stem + suffix
}
