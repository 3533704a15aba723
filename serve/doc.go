// Package serve is `pobox serve`: the inbox over SSH, on Charm's wish.
// One process holds the cache and the sync engine; every SSH session is
// a screen on them, with its own focus, filters, search and selection,
// sized and coloured for the client's terminal.
//
// # Sessions
//
// A session with a terminal (ssh -t, the default for an interactive ssh)
// gets an inbox: a Bubble Tea program (ui.NewProgram) handed to wish's
// bubbletea middleware (MiddlewareWithProgramHandler), reading keys from
// the session and drawing to it, resized on the client's window-change
// requests. Its styles come from the session's own Lip Gloss renderer
// (bubbletea.MakeRenderer: the client's TERM, COLORTERM, NO_COLOR and
// background); its width mode and notifications from the session's
// environment (ui.Options.Getenv, TERM from the pty request); its bell,
// notifications and OSC 52 copies go to the session, in order with its
// frames (ui.Options.Output). A session with a command (ssh HOST list
// --json) runs one of Verbs through Config.Exec; a session with neither
// is told the commands.
//
// Each session channel has a context of its own (the library's is the
// connection's), which ends when the client closes the channel or says
// it will show no more of it (eow@openssh.com): the inbox quits, a
// command is cancelled. Its window changes are kept by the server
// (channelRequests), the newest waiting for the inbox, so that nothing
// waits for a reader a command never is.
//
// # One engine, many screens
//
// The engine's Events channel has one reader: the hub, a goroutine of
// the server that hands every event to a queue per session, coalesced
// (see coalesce) so that a slow session never blocks the engine or
// another session and still sees every new message once, in order. Each
// session's ui.Engine is its own channel plus the shared engine's
// actions, so `a` in one session acknowledges for all: the cache
// changes, the engine reports RowsChanged, and every inbox reloads.
//
// # Security
//
// Public keys only (no password, no keyboard-interactive), from an
// OpenSSH authorized_keys file read again at every login; the key is
// checked again when the session starts, because x/crypto/ssh may call
// the public-key callback with keys a client only offered
// (CVE-2024-45337). No shell, subsystems or forwarding (agent included);
// of the client's environment only TERM, COLORTERM, NO_COLOR and LANG,
// refused otherwise and bounded in number. Every byte of
// message text reaches a terminal through package sanitize (the inbox
// and the verbs use it), and what the commands print passes a control
// filter as well. Limits: MaxSessions at once, MaxAuthTries failed
// authentications a connection, LoginGrace to log in, IdleTimeout
// without a key press in an inbox (and without any traffic on a
// connection), MaxDuration for any connection. Every connection that
// does not log in and every session is logged: time, address, key
// fingerprint, how it ended; never a secret or a message's text.
//
// # Goroutines
//
// Serve owns everything it starts: the ssh server's accept loop, the hub
// and one pump a subscription, per session channel its request loop
// (until the channel or connection closes), and per session wish's
// handler goroutine, a keep-alive, for a command with a terminal a
// reader of ^C, and for an inbox the tea.Program with a watcher that
// quits it when its subscription ends or it idles. When Serve's context
// ends, the hub closes every subscription (the inboxes quit and restore
// their terminals, watches end), commands are cancelled, then every
// connection is closed; Serve returns after all of them have ended.
package serve
