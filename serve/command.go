package serve

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/charmbracelet/ssh"

	inboxsync "pobox/sync"
)

// Exit statuses of the commands serve answers itself (as pobox's).
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// commandMiddleware runs a command given on the ssh command line (ssh
// HOST list --json) and ends the session with its exit status; a session
// without one goes on to the inbox.
func (s *Server) commandMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		args := sess.Command()
		if len(args) == 0 {
			next(sess)
			return
		}
		code := s.runCommand(sess, args)
		if ss, ok := sess.(*session); ok {
			if sess.Context().Err() != nil {
				ss.ended("the client disconnected")
			}
			ss.ended(fmt.Sprintf("exit %d", code))
		}
		_ = sess.Exit(code)
	}
}

// noTerminalMiddleware answers a session with neither a command nor a
// terminal (ssh -T HOST) with the list of commands. After an inbox it
// does nothing.
func (s *Server) noTerminalMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if _, _, ok := sess.Pty(); !ok {
			if ss, ok := sess.(*session); ok {
				ss.ended("no terminal: listed the commands")
			}
			stderr := newControlFilter(sess.Stderr())
			fmt.Fprint(stderr, "pobox serve: the inbox needs a terminal (ssh -t); without one, give a command:\n")
			writeVerbs(stderr)
			_ = sess.Exit(exitUsage)
			return
		}
		next(sess)
	}
}

// writeVerbs lists Verbs, one a line.
func writeVerbs(w io.Writer) {
	for _, v := range Verbs {
		fmt.Fprintf(w, "  %-7s %s\n", v.Name, v.Short)
	}
	fmt.Fprint(w, "Add --help to one for its flags, for example: ssh HOST list --help\n")
}

// isVerb reports whether name is one of Verbs.
func isVerb(name string) bool {
	for _, v := range Verbs {
		if v.Name == name {
			return true
		}
	}
	return false
}

// verbNames is "list, status, ack or watch".
func verbNames() string {
	names := make([]string, len(Verbs))
	for i, v := range Verbs {
		names[i] = v.Name
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// runCommand runs one command line and returns its exit status. Only
// Verbs reach Exec; help is answered here.
func (s *Server) runCommand(sess ssh.Session, args []string) int {
	stderr := newControlFilter(sess.Stderr())
	var stdout io.Writer = sess
	pty, _, hasPty := sess.Pty()
	if hasPty {
		// The output goes to a terminal for certain: nothing in it may
		// steer that terminal.
		stdout = newControlFilter(sess)
	}
	switch verb := args[0]; {
	case verb == "help" || verb == "--help" || verb == "-h":
		fmt.Fprint(stdout, "pobox serve: without a command, ssh -t opens the inbox; these commands run on their own:\n")
		writeVerbs(stdout)
		return exitOK
	case !isVerb(verb):
		// The client's own words go back to the client, as they are
		// printed on the command line: %q makes any control visible.
		fmt.Fprintf(stderr, "pobox serve: %q is not a command here: use %s (or ssh -t for the inbox)\n", verb, verbNames())
		return exitUsage
	case s.cfg.Exec == nil:
		fmt.Fprintf(stderr, "pobox serve: this server runs no commands; ssh -t for the inbox\n")
		return exitFail
	}

	// The command ends with its session and with the server.
	ctx, cancel := context.WithCancel(sess.Context())
	defer cancel()
	stopWithServer := context.AfterFunc(s.stopCtx, cancel)
	defer stopWithServer()
	var stdin io.Reader = sess
	if hasPty {
		// The client's terminal is raw and this server has no line
		// discipline: ^C arrives as a byte, and ends the command as
		// SIGINT would. No command reads its input.
		stdin = strings.NewReader("")
		s.chanWG.Add(1) // before the session ends, so before stop waits
		go func() {
			defer s.chanWG.Done()
			readInterrupts(sess, cancel)
		}()
	}

	var (
		mu  sync.Mutex
		sub *subscriber
	)
	events := func() <-chan inboxsync.Event {
		mu.Lock()
		defer mu.Unlock()
		if sub == nil {
			sub = s.hub.subscribe()
		}
		return sub.C()
	}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		if sub != nil {
			sub.Close()
		}
	}()
	width := 0
	if hasPty {
		width = pty.Window.Width
	}
	return s.cfg.Exec(ctx, Command{
		Args: args, Stdin: stdin, Stdout: stdout, Stderr: stderr,
		Width: width, Events: events,
	})
}

// readInterrupts reads a terminal's input until it ends (the session's
// channel closes), calling interrupt at each ^C.
func readInterrupts(r io.Reader, interrupt func()) {
	buf := make([]byte, 256)
	for {
		n, err := r.Read(buf)
		if bytes.IndexByte(buf[:n], 0x03) >= 0 {
			interrupt()
		}
		if err != nil {
			return
		}
	}
}
