// Package ui is pobox's terminal inbox, a Bubble Tea (v1) program: the
// message list, the detail pane, the status bar, the emergency banner,
// help, search, filters and the login screen.
//
// # Data flow
//
// The model never holds the whole cache. The list keeps a window of a few
// screens around the cursor, read with keyset queries (cache.DB.Older and
// Newer) in Cmds, and extends it when the viewport nears its edge; moves
// made past the edge while rows are on their way are replayed when they
// arrive, so no key press is lost. Rendered rows are cached by id, width
// and state, and the detail pane renders again only when the selected
// message, its state or the width changes: a key press costs a few
// microseconds of Update and a repaint of cached strings (see
// BenchmarkKeypress).
//
// Database writes (mark read, delete) and engine calls (acknowledge,
// delete up to) run in Cmds, never in Update, because a WAL checkpoint can
// stall a commit for tens of milliseconds. Engine events arrive through one
// Cmd that receives once from Engine.Events and is re-armed by Update;
// RowsChanged and Synced reload only the window and the counts, in one
// read, coalesced while one is on its way.
//
// # Reading
//
// A message is marked read when the selection has rested on it for
// settleDelay (300 ms), or at once when its detail is opened with enter,
// so scrolling through the list with j writes nothing.
//
// # Untrusted text
//
// Every title, body, app name and URL goes through package sanitize before
// it is styled or measured; widths come from sanitize.Width and Truncate,
// so wide, combining or hostile text never breaks a row. Links are OSC 8
// hyperlinks for http and https only, and the address is always shown next
// to its title.
//
// # Bell and clipboard
//
// The bell (BEL) and OSC 52 copies are written to Options.Bell from Cmds,
// never from View. A new emergency rings at once and again every
// Options.BellInterval while any emergency still needs acknowledging
// (pending acknowledgements count as dealt with); a new priority-1
// message rings once; priorities below 0 and the backlog of a first sync
// never ring on arrival.
package ui
