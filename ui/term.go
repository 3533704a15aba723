package ui

import (
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"pobox/sanitize"
)

// Sequences that are no part of a frame (the bell, desktop notifications,
// OSC 52 copies) must reach the terminal whole and between two frames.
// Bubble Tea v1's standard renderer cannot carry them: a sequence in the
// View of one frame is lost whenever the next View replaces it before the
// renderer's ticker flushes (write replaces the buffer), and one kept for
// longer is written again each time its line changes. So the program's
// output is a termWriter: the renderer writes every frame with a single
// Write, and the UI writes each sequence with a single Write, both under
// one lock. A sequence therefore never lands inside a frame, even on a
// writer that would split a long write (an SSH channel sends it in
// packets), and each program (each session of pobox serve) writes its own
// on its own terminal.

// termWriter serialises the writes of the renderer and of the UI.
type termWriter struct {
	mu      sync.Mutex
	w       io.Writer
	frames  uint64 // the renderer's writes so far
	painted string // the last eager frame, until the renderer writes
}

// Write implements io.Writer for the renderer: one whole write under the
// lock. The renderer's flush of the frame an eager write put on the
// screen is the same bytes (writeFrame writes a frame as it does): it
// is not sent again.
func (t *termWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.frames++
	painted := t.painted
	t.painted = ""
	if painted != "" && string(p) == painted {
		return len(p), nil
	}
	return t.w.Write(p)
}

// writeSeq writes a sequence of the UI (bell, notification, copy).
func (t *termWriter) writeSeq(s string) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, err := io.WriteString(t.w, s)
	return err
}

// frameCount is how many times the renderer wrote.
func (t *termWriter) frameCount() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.frames
}

// writeFrame writes the frame view (the program's View, width cells wide
// as Bubble Tea's renderer cuts it) the way the standard renderer paints
// a whole frame in the alternate screen, unless the renderer wrote since
// the frame was made (seen): then the renderer is already as new.
//
// Bubble Tea v1 paints on a ticker, up to 8.3 ms after the View at 120
// frames a second; a new message should not wait for it (the budget is
// 6 ms from publish to screen). The renderer goes on believing the screen
// shows its last frame, so the frame written here must differ from that
// one on every line, which the view's parity mark guarantees: the
// renderer's next flush then rewrites every line, the same content,
// whatever it believed.
func (t *termWriter) writeFrame(view string, seen uint64, width int) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.frames != seen {
		return false
	}
	var b strings.Builder
	b.Grow(len(view) + 1024)
	b.WriteString(ansi.CursorHomePosition)
	lines := strings.Split(view, "\n")
	for i, line := range lines {
		line = ansi.Truncate(line, width, "")
		b.WriteString(line)
		if ansi.StringWidth(line) < width {
			b.WriteString(ansi.EraseLineRight) // as the renderer does
		}
		if i < len(lines)-1 {
			b.WriteString("\r\n")
		}
	}
	b.WriteString(ansi.CursorPosition(0, len(lines)))
	t.painted = b.String()
	_, err := io.WriteString(t.w, t.painted)
	return err == nil
}

// frameWriter is the output of a program made by NewProgram.
type frameWriter interface {
	frameCount() uint64
	writeFrame(view string, seen uint64, width int) bool
}

// seqWriter writes a sequence outside the renderer's frames.
type seqWriter interface{ writeSeq(string) error }

// ttyFile is what Bubble Tea looks for in its output to treat it as a
// terminal (charmbracelet/x/term.File): size, raw mode, restore.
type ttyFile interface {
	io.ReadWriteCloser
	Fd() uintptr
}

// termFile is a termWriter over a terminal file, still a terminal to
// Bubble Tea.
type termFile struct {
	*termWriter
	f ttyFile
}

func (t termFile) Read(p []byte) (int, error) { return t.f.Read(p) }
func (t termFile) Close() error               { return t.f.Close() }
func (t termFile) Fd() uintptr                { return t.f.Fd() }

// newTermWriter wraps a program's output.
func newTermWriter(w io.Writer) io.Writer {
	tw := &termWriter{w: w}
	if f, ok := w.(ttyFile); ok {
		return termFile{tw, f}
	}
	return tw
}

// writeSeq writes one sequence to w from a Cmd; done turns the result
// into a message (nil: none).
func writeSeq(w io.Writer, seq string, done func(error) tea.Msg) tea.Cmd {
	if w == nil || seq == "" {
		return nil
	}
	return func() tea.Msg {
		var err error
		if sw, ok := w.(seqWriter); ok {
			err = sw.writeSeq(seq)
		} else {
			_, err = io.WriteString(w, seq)
		}
		if done == nil {
			return nil // a bell that cannot ring has nobody to tell
		}
		return done(err)
	}
}

// NotifyMode is how new messages raise a desktop notification through the
// terminal.
type NotifyMode string

// The notification modes.
const (
	NotifyAuto   NotifyMode = "auto"   // pick from the environment, else the bell
	NotifyOSC9   NotifyMode = "osc9"   // iTerm2, WezTerm, Ghostty, Windows Terminal
	NotifyOSC777 NotifyMode = "osc777" // foot, urxvt, VTE with the notify patch
	NotifyOSC99  NotifyMode = "osc99"  // kitty (and foot)
	NotifyBell   NotifyMode = "bell"   // BEL only
	NotifyOff    NotifyMode = "off"    // nothing
)

// ParseNotifyMode checks a notify setting; "" means auto.
func ParseNotifyMode(s string) (NotifyMode, error) {
	switch m := NotifyMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return NotifyAuto, nil
	case NotifyAuto, NotifyOSC9, NotifyOSC777, NotifyOSC99, NotifyBell, NotifyOff:
		return m, nil
	}
	return "", fmt.Errorf("notify %q: use auto, osc9, osc777, osc99, bell or off", s)
}

// DetectNotifyMode picks the notification of the terminal the
// environment names: kitty (KITTY_WINDOW_ID, TERM xterm-kitty) OSC 99;
// iTerm2 (also LC_TERMINAL, which iTerm2 sends over SSH), WezTerm,
// Ghostty and Windows Terminal OSC 9; foot OSC 777; any other the bell.
// Inside tmux the outer terminal's variables are often still set (tmux
// keeps the environment it started in).
func DetectNotifyMode(getenv func(string) string) NotifyMode {
	tp, term := getenv("TERM_PROGRAM"), getenv("TERM")
	switch {
	case getenv("KITTY_WINDOW_ID") != "" || term == "xterm-kitty":
		return NotifyOSC99
	case tp == "iTerm.app" || getenv("LC_TERMINAL") == "iTerm2" || getenv("ITERM_SESSION_ID") != "",
		tp == "WezTerm" || getenv("WEZTERM_PANE") != "",
		tp == "ghostty" || term == "xterm-ghostty" || getenv("GHOSTTY_RESOURCES_DIR") != "",
		getenv("WT_SESSION") != "":
		return NotifyOSC9
	case term == "foot" || strings.HasPrefix(term, "foot-"):
		return NotifyOSC777
	}
	return NotifyBell
}

// multiplexer is the terminal multiplexer pobox runs in, whose passthrough
// carries sequences it would not forward itself.
type multiplexer int

const (
	muxNone   multiplexer = iota
	muxTmux               // ESC P tmux; ... ESC \, inner ESCs doubled; needs allow-passthrough on
	muxScreen             // ESC P ... ESC \
)

// detectMux reads the multiplexer from the environment. TERM screen*
// without STY counts as tmux, whose default TERM it long was (over SSH
// only TERM tells); a terminal that is neither ignores the wrapper.
func detectMux(getenv func(string) string) multiplexer {
	term := getenv("TERM")
	switch {
	case getenv("TMUX") != "" || getenv("TERM_PROGRAM") == "tmux" || strings.HasPrefix(term, "tmux"):
		return muxTmux
	case getenv("STY") != "":
		return muxScreen
	case strings.HasPrefix(term, "screen"):
		return muxTmux
	}
	return muxNone
}

// wrap wraps seq for the multiplexer's passthrough.
func (m multiplexer) wrap(seq string) string {
	switch m {
	case muxTmux:
		return "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
	case muxScreen:
		return "\x1bP" + seq + "\x1b\\"
	}
	return seq
}

// notifier turns new messages into the sequences that announce them.
type notifier struct {
	mode        NotifyMode // resolved: never auto
	mux         multiplexer
	minPriority int
	width       sanitize.WidthMode
}

// Bounds of a notification's text, in cells.
const (
	notifyTitleMax = 80
	notifyBodyMax  = 160
)

func newNotifier(mode NotifyMode, minPriority int, getenv func(string) string, width sanitize.WidthMode) notifier {
	m, err := ParseNotifyMode(string(mode))
	if err != nil || m == NotifyAuto {
		m = DetectNotifyMode(getenv)
	}
	return notifier{mode: m, mux: detectMux(getenv), minPriority: minPriority, width: width}
}

// clean makes untrusted text safe inside an OSC string: one sanitized line
// (no ESC, BEL, ST or other control), bounded.
func (n notifier) clean(s string, max int) string {
	return n.width.Truncate(s, max, "…")
}

// screenMax is the most GNU screen passes through in one DCS string (its
// MAXSTR, 768 bytes, less its ends): it cuts the rest, and with it the
// sequence's end.
const screenMax = 760

// notification is the sequence that shows title and body on the desktop,
// wrapped for the multiplexer; the bell when the mode is bell, "" when
// off. Every OSC ends with BEL: an ST (ESC \) would end screen's
// passthrough early. Inside screen the text is shortened, the body first,
// until the sequence fits its passthrough.
func (n notifier) notification(title, body string, id int64) string {
	tmax, bmax := notifyTitleMax, notifyBodyMax
	for {
		seq := n.osc(n.clean(title, tmax), n.clean(body, bmax), id)
		if seq == "" || seq == "\a" {
			return seq // off, or the bell: nothing to pass through
		}
		if n.mux != muxScreen || len(seq) <= screenMax || tmax <= 1 {
			return n.mux.wrap(seq)
		}
		if bmax > 0 {
			bmax /= 2
		} else {
			tmax /= 2
		}
	}
}

// osc is the notification sequence of the mode for clean text.
func (n notifier) osc(title, body string, id int64) string {
	var seq string
	switch n.mode {
	case NotifyOSC9:
		text := title
		if body != "" {
			text += ": " + body
		}
		// ConEmu and Windows Terminal read "9;<digit>" as other commands.
		if text != "" && text[0] >= '0' && text[0] <= '9' {
			text = "pobox: " + text
		}
		seq = "\x1b]9;" + text + "\a"
	case NotifyOSC777:
		seq = "\x1b]777;notify;" + strings.ReplaceAll(title, ";", ",") + ";" + body + "\a"
	case NotifyOSC99:
		// kitty: the title, then the body, of one notification.
		ident := "i=pobox" + itoa(id)
		if body == "" {
			seq = "\x1b]99;" + ident + ";" + title + "\a"
		} else {
			seq = "\x1b]99;" + ident + ":d=0:p=title;" + title + "\a" + "\x1b]99;" + ident + ":p=body;" + body + "\a"
		}
	case NotifyBell:
		return "\a"
	}
	return seq
}

// copySeq is the OSC 52 sequence that puts text on the terminal's
// clipboard: as it is, which tmux takes with set-clipboard on, and inside
// tmux also through the passthrough, which reaches the outer terminal
// with allow-passthrough on; screen needs its own wrapping.
func (n notifier) copySeq(text string) string {
	seq := osc52.New(text)
	switch n.mux {
	case muxTmux:
		return seq.String() + seq.Tmux().String()
	case muxScreen:
		return seq.Screen().String()
	}
	return seq.String()
}
