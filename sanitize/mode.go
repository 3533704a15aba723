package sanitize

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
)

// WidthMode is the way the terminal in front of the user counts the cells
// of text. Every function of the package that measures, cuts or prepares
// text for the screen exists as a method of WidthMode; the package-level
// functions of the same names use the process-wide mode (SetWidthMode).
// A WidthMode is a small value, safe to copy and to use from any number
// of goroutines.
type WidthMode uint8

const (
	// Grapheme counts a grapheme cluster (a letter and its marks, an emoji
	// sequence, a flag) as one character, the way lipgloss,
	// charmbracelet/x/ansi and most terminal emulators do. The default.
	Grapheme WidthMode = iota
	// Codepoint counts every code point by its own width (wcwidth, summed),
	// the way tmux and GNU screen do. Text prepared in this mode is
	// normalised so that lipgloss's count never exceeds it (see the
	// package documentation), which makes it safe in every terminal.
	Codepoint
	// Auto is a mode still to be detected: Resolve turns it into Grapheme
	// or Codepoint. Used for measuring as it is, it behaves as Codepoint,
	// whose text fits everywhere.
	Auto
)

// ParseWidthMode parses "auto", "grapheme" or "codepoint" (any case); an
// empty string means "auto".
func ParseWidthMode(s string) (WidthMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return Auto, nil
	case "grapheme":
		return Grapheme, nil
	case "codepoint":
		return Codepoint, nil
	}
	return Auto, fmt.Errorf("width mode %q: use auto, grapheme or codepoint", s)
}

// String returns the name ParseWidthMode accepts.
func (m WidthMode) String() string {
	switch m {
	case Grapheme:
		return "grapheme"
	case Codepoint:
		return "codepoint"
	}
	return "auto"
}

// MarshalText and UnmarshalText let a WidthMode sit in a configuration
// file.
func (m WidthMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText parses as ParseWidthMode does.
func (m *WidthMode) UnmarshalText(b []byte) error {
	v, err := ParseWidthMode(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// DetectWidthMode returns Codepoint when the environment says the program
// runs inside tmux or GNU screen ($TMUX or $STY set, or $TERM starting
// with "screen" or "tmux"), and Grapheme otherwise. getenv looks up one
// variable; nil means os.Getenv. For an SSH session pass a lookup in the
// session's environment that answers TERM from its pty request: TMUX and
// STY rarely cross SSH, but TERM does.
func DetectWidthMode(getenv func(string) string) WidthMode {
	if getenv == nil {
		getenv = os.Getenv
	}
	if getenv("TMUX") != "" || getenv("STY") != "" {
		return Codepoint
	}
	term := getenv("TERM")
	if strings.HasPrefix(term, "screen") || strings.HasPrefix(term, "tmux") {
		return Codepoint
	}
	return Grapheme
}

// Resolve returns DetectWidthMode(getenv) for Auto and m itself
// otherwise.
func (m WidthMode) Resolve(getenv func(string) string) WidthMode {
	if m == Grapheme || m == Codepoint {
		return m
	}
	return DetectWidthMode(getenv)
}

// processMode is the mode of the package-level functions.
var processMode atomic.Uint32

// SetWidthMode sets the mode of the package-level functions (Text, Line,
// Width, Truncate, Cut, HTML, Linkify, Links, Hyperlink) for the whole
// process; Auto is resolved with the process's environment. Call it once
// at start, before the UI runs; it is safe with concurrent readers, which
// see the old or the new mode. A process that serves several terminals
// (pobox serve) uses the methods of each session's WidthMode instead.
func SetWidthMode(m WidthMode) {
	processMode.Store(uint32(m.Resolve(nil)))
}

// CurrentWidthMode returns the mode of the package-level functions:
// Grapheme until SetWidthMode says otherwise.
func CurrentWidthMode() WidthMode {
	return WidthMode(processMode.Load())
}

// codepoint reports whether m prepares and measures text per code point.
func (m WidthMode) codepoint() bool { return m != Grapheme }
