// Package ui is pobox's terminal inbox, a Bubble Tea (v1) program: the
// message list, the reading (detail) pane, the status bar, the emergency
// banner, help, search, filters, pickers and the login screen.
//
// # Data flow
//
// The model never holds the whole cache. The list keeps a window of a few
// screens around the cursor, read with keyset queries (cache.DB.Older and
// Newer) in Cmds, and extends it when the viewport nears its edge; moves
// made past the edge while rows are on their way are replayed when they
// arrive, so no key press is lost. Rendered rows are cached by key, width
// and state, and the reading pane lays a message out again only when the
// message, its state or the width changes: a key press costs a few
// microseconds of Update and a repaint of cached strings (see
// BenchmarkKeypress).
//
// Database writes (mark read, delete) and engine calls (acknowledge,
// delete up to) run in Cmds that close over copied values, never in
// Update, because a WAL checkpoint can stall a commit for tens of
// milliseconds. Engine events arrive through one Cmd that receives once
// from Engine.Events and is re-armed by Update; RowsChanged and Synced
// reload only the window and the counts, in one read (a RowsChanged
// waits for a read on its way). The program renders at FPS (120) frames
// a second.
//
// # New arrivals and reading
//
// While the selection is on the newest message (and the person is not
// reading in the detail pane), new arrivals take it: an idle inbox shows
// the newest messages. Someone scrolled away keeps their place, and the
// status bar says how many newer messages wait ("↑ 3 new: g").
//
// A message is read only once the person could have read it: opened
// (enter), or brought into the reading pane by a key press or click of
// theirs and left there for settleDelay (300 ms), while the terminal has
// focus (where it reports focus). A selection that moved by itself (new
// messages, a filter, a deletion, the first screen) is never read, and
// messages read under the unread filter stay in its results until the
// filter changes: a filter never changes its own results.
//
// # Keys over SSH
//
// Several presses in one read arrive as one key message with several
// runes, and esc with the key after it as an alt-key: outside a text
// field each rune is a press, and an alt-key that nothing binds is esc
// followed by the key.
//
// # Untrusted text and widths
//
// Every title, body, app name and URL goes through package sanitize
// before it is styled or measured, in the width mode of the terminal in
// front of the user (Options.Width: per code point inside tmux and
// screen). Widths come from the mode's Width and Truncate, never from
// lipgloss, and every line of the frame is cut with the mode's Cut, so no
// line is wider than that terminal counts it. Links are OSC 8 hyperlinks
// for http and https only; the address is shown next to the URL's title,
// and a link whose text names another host is followed by the real one
// ("[evil.example]"). o lists every link of a message.
//
// # Bell, notifications and clipboard
//
// The bell, desktop notifications (OSC 9, 777 or 99, wrapped for tmux's
// or screen's passthrough) and OSC 52 copies are written from Cmds to the
// program's output through a writer that Bubble Tea's renderer writes
// its frames through too, each whole under one lock: they never land
// inside a frame, and each program (each pobox serve session) writes them
// on its own terminal. A new emergency rings at once and again every
// Options.BellInterval while any emergency still pages (acknowledged,
// queued and expired ones do not; m mutes until a new emergency arrives,
// and Pushover's repeats of one, new copies with the same receipt, are
// not new); a new message of Options.NotifyPriority or more raises a
// notification, or rings in bell mode; priorities below that and the
// backlog of a first sync never alert.
//
// # New messages on the screen
//
// The read of what a sync stored goes out as the only command of its
// Update, superseding a reload on its way, and the frame that shows the
// result is painted from a Cmd at once, not at the renderer's next tick
// (see termWriter): Bubble Tea's renderer then flushes the same bytes,
// which are not sent again.
package ui
