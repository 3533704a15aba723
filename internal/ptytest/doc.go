// Package ptytest runs a command on a pseudo-terminal for tests, as a
// person's terminal would run it, and reads what reaches the screen.
//
// A Bubble Tea program asks the terminal questions when it starts
// (termenv, through lipgloss: OSC 11 for the background colour, CSI 6n
// for the cursor position) and waits for the answers; with nobody to
// answer, each waits out a timeout of seconds, and an answer sent twice
// reaches it as keys. The harness answers each query once, as a dark
// xterm does, even when a query is split between two reads.
//
// The child's environment is cleaned of the variables of the terminal
// the tests run in (TERM, TMUX, ...) and of CI, since termenv asks a
// terminal nothing when CI is set: the child meets a plain
// xterm-256color with true colour, as on a user's desk.
//
// The harness is Linux only; this file, which builds everywhere, leaves
// an empty package elsewhere, so that naming it (go vet ./internal/...)
// still works there. It imports no pobox package: any package's tests can
// use it.
package ptytest
