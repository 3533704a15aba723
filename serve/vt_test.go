package serve

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/mattn/go-runewidth"
)

// vt is a small terminal emulator for the tests' ssh clients: enough of
// xterm for Bubble Tea's renderer (cursor moves, erases, the alternate
// screen), ignoring colours, and answering the queries a real terminal
// answers (the background colour, device attributes), as the session's
// renderer asks them before the inbox starts.
type vt struct {
	mu    sync.Mutex
	cond  *sync.Cond
	w, h  int
	main  [][]rune
	alt   [][]rune
	inAlt bool
	x, y  int
	bells int
	osc52 int
	notes int // desktop notifications: OSC 9, 777 or 99
	eof   bool
	// SGR sequences seen that set a colour, and that set bold or
	// reverse video.
	colours, attrs int
	// graphemes makes the emulator count an emoji ZWJ sequence as one
	// character, as xterm-like terminals do; without, every code point
	// counts (wcwidth), as tmux and screen do.
	graphemes bool
	joinNext  bool // after a ZWJ: the next code point joins the cluster

	reply   func([]byte) // answers to queries, written to the session's stdin
	replies [][]byte     // answers not sent yet

	state  int // ground, esc, csi, osc, oscEsc, charset
	params []byte
	osc    []byte
	utf    []byte
}

const (
	vtGround = iota
	vtEsc
	vtCSI
	vtOSC
	vtOSCEsc
	vtCharset
)

func newVT(w, h int, reply func([]byte)) *vt {
	v := &vt{w: w, h: h, reply: reply}
	v.cond = sync.NewCond(&v.mu)
	v.main, v.alt = v.blank(), v.blank()
	return v
}

func (v *vt) blank() [][]rune {
	s := make([][]rune, v.h)
	for i := range s {
		s[i] = make([]rune, v.w)
		for j := range s[i] {
			s[i][j] = ' '
		}
	}
	return s
}

func (v *vt) screen() [][]rune {
	if v.inAlt {
		return v.alt
	}
	return v.main
}

// Write feeds output from the session.
func (v *vt) Write(p []byte) (int, error) {
	v.mu.Lock()
	for _, b := range p {
		v.feed(b)
	}
	v.cond.Broadcast()
	replies := v.replies
	v.replies = nil
	v.mu.Unlock()
	// In order, as a terminal answers: the renderer's query reads the
	// background colour first and stops at the device attributes.
	for _, r := range replies {
		if v.reply != nil {
			v.reply(r)
		}
	}
	return len(p), nil
}

// closed marks the end of the session's output.
func (v *vt) closed() {
	v.mu.Lock()
	v.eof = true
	v.cond.Broadcast()
	v.mu.Unlock()
}

// resize changes the emulator's size, as the client's window does.
func (v *vt) resize(w, h int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.w, v.h = w, h
	v.main, v.alt = v.blank(), v.blank()
	v.x, v.y = 0, 0
}

func (v *vt) feed(b byte) {
	switch v.state {
	case vtEsc:
		switch b {
		case '[':
			v.state, v.params = vtCSI, v.params[:0]
		case ']':
			v.state, v.osc = vtOSC, v.osc[:0]
		case '(', ')':
			v.state = vtCharset
		default:
			v.state = vtGround // ESC 7, ESC 8, ESC =, ...: nothing the tests look at
		}
		return
	case vtCharset:
		v.state = vtGround
		return
	case vtCSI:
		if b >= 0x40 && b <= 0x7e {
			v.csi(b)
			v.state = vtGround
		} else {
			v.params = append(v.params, b)
		}
		return
	case vtOSC:
		switch b {
		case 0x07:
			v.oscDone()
		case 0x1b:
			v.state = vtOSCEsc
		default:
			v.osc = append(v.osc, b)
		}
		return
	case vtOSCEsc: // ESC \ ends the OSC
		v.oscDone()
		return
	}
	switch b {
	case 0x1b:
		v.state = vtEsc
	case '\r':
		v.x = 0
	case '\n':
		v.lineFeed()
	case '\b':
		v.x = max(0, v.x-1)
	case 0x07:
		v.bells++
	default:
		if b < 0x20 {
			return
		}
		v.utf = append(v.utf, b)
		if !utf8.FullRune(v.utf) {
			return
		}
		r, _ := utf8.DecodeRune(v.utf)
		v.utf = v.utf[:0]
		v.print(r)
	}
}

func (v *vt) lineFeed() {
	if v.y < v.h-1 {
		v.y++
		return
	}
	s := v.screen()
	copy(s, s[1:])
	s[v.h-1] = make([]rune, v.w)
	for j := range s[v.h-1] {
		s[v.h-1][j] = ' '
	}
}

func (v *vt) print(r rune) {
	rw := runewidth.RuneWidth(r)
	if v.graphemes {
		if v.joinNext {
			rw, v.joinNext = 0, false
		}
		if r == 0x200d {
			v.joinNext = true
		}
	}
	if rw == 0 {
		return
	}
	if v.x+rw > v.w { // the pending wrap
		v.x = 0
		v.lineFeed()
	}
	s := v.screen()
	s[v.y][v.x] = r
	if rw == 2 && v.x+1 < v.w {
		s[v.y][v.x+1] = 0 // the right half of a wide character
	}
	v.x += rw
}

func (v *vt) oscDone() {
	v.state = vtGround
	cmd, arg, _ := strings.Cut(string(v.osc), ";")
	switch {
	case cmd == "11" && arg == "?":
		v.send("\x1b]11;rgb:0000/0000/0000\x07")
	case cmd == "52":
		v.osc52++
	case cmd == "9" || cmd == "777" || cmd == "99":
		v.notes++
	}
}

// send queues an answer for the other side; Write sends it.
func (v *vt) send(s string) { v.replies = append(v.replies, []byte(s)) }

func (v *vt) csi(final byte) {
	p := string(v.params)
	private := strings.HasPrefix(p, "?")
	p = strings.TrimLeft(p, "?>=")
	var ns []int
	for _, f := range strings.Split(p, ";") {
		n, _ := strconv.Atoi(f)
		ns = append(ns, n)
	}
	arg := func(i, def int) int {
		if i < len(ns) && ns[i] > 0 {
			return ns[i]
		}
		return def
	}
	s := v.screen()
	clearCells := func(y, from, to int) {
		for x := max(from, 0); x < min(to, v.w); x++ {
			s[y][x] = ' '
		}
	}
	switch final {
	case 'H', 'f':
		v.y, v.x = min(arg(0, 1)-1, v.h-1), min(arg(1, 1)-1, v.w-1)
	case 'A':
		v.y = max(0, v.y-arg(0, 1))
	case 'B':
		v.y = min(v.h-1, v.y+arg(0, 1))
	case 'C':
		v.x = min(v.w-1, v.x+arg(0, 1))
	case 'D':
		v.x = max(0, v.x-arg(0, 1))
	case 'G':
		v.x = min(arg(0, 1)-1, v.w-1)
	case 'd':
		v.y = min(arg(0, 1)-1, v.h-1)
	case 'K':
		switch arg(0, 0) {
		case 0:
			clearCells(v.y, v.x, v.w)
		case 1:
			clearCells(v.y, 0, v.x+1)
		case 2:
			clearCells(v.y, 0, v.w)
		}
	case 'J':
		switch arg(0, 0) {
		case 0:
			clearCells(v.y, v.x, v.w)
			for y := v.y + 1; y < v.h; y++ {
				clearCells(y, 0, v.w)
			}
		case 1:
			for y := 0; y < v.y; y++ {
				clearCells(y, 0, v.w)
			}
			clearCells(v.y, 0, v.x+1)
		case 2, 3:
			for y := range v.h {
				clearCells(y, 0, v.w)
			}
		}
	case 'X':
		clearCells(v.y, v.x, v.x+arg(0, 1))
	case 'm':
		for _, n := range ns {
			switch {
			case n == 1 || n == 7:
				v.attrs++
			case n >= 30 && n <= 49 && n != 39 && n != 49, n >= 90 && n <= 107:
				v.colours++
			}
		}
	case 'c':
		if !private {
			v.send("\x1b[?62;22c") // a VT220 with colour
		}
	case 'n':
		if arg(0, 0) == 6 {
			v.send("\x1b[" + strconv.Itoa(v.y+1) + ";" + strconv.Itoa(v.x+1) + "R")
		}
	case 'h', 'l':
		if private && arg(0, 0) == 1049 {
			v.inAlt = final == 'h'
			if v.inAlt {
				v.alt = v.blank()
			}
		}
	}
}

// column is the cell where sep starts in line, counted as this
// terminal counts; -1 when it is not there.
func (v *vt) column(line, sep string) int {
	i := strings.Index(line, sep)
	if i < 0 {
		return -1
	}
	col, join := 0, false
	for _, r := range line[:i] {
		w := runewidth.RuneWidth(r)
		if v.graphemes {
			if join {
				w, join = 0, false
			}
			join = r == 0x200d
		}
		col += w
	}
	return col
}

// text is the screen as lines, trailing spaces cut.
func (v *vt) text() string {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.textLocked()
}

func (v *vt) textLocked() string {
	var b strings.Builder
	for i, row := range v.screen() {
		line := strings.Map(func(r rune) rune {
			if r == 0 {
				return -1
			}
			return r
		}, string(row))
		b.WriteString(strings.TrimRight(line, " "))
		if i < len(v.screen())-1 {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// waitFor waits until the screen satisfies cond, failing after a while.
func (v *vt) waitFor(t testing.TB, what string, cond func(screen string) bool) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	stop := time.AfterFunc(10*time.Second, func() {
		v.mu.Lock()
		v.cond.Broadcast()
		v.mu.Unlock()
	})
	defer stop.Stop()
	v.mu.Lock()
	defer v.mu.Unlock()
	for {
		s := v.textLocked()
		if cond(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %s; it shows:\n%s", what, s)
		}
		if v.eof {
			t.Fatalf("the session ended before the screen showed %s; it shows:\n%s", what, s)
		}
		v.cond.Wait()
	}
}

// waitAlert waits until the terminal has rung, or with notes shown a
// desktop notification.
func (v *vt) waitAlert(t testing.TB, notes bool) {
	t.Helper()
	stop := time.AfterFunc(10*time.Second, func() {
		v.mu.Lock()
		v.cond.Broadcast()
		v.mu.Unlock()
	})
	defer stop.Stop()
	deadline := time.Now().Add(10 * time.Second)
	v.mu.Lock()
	defer v.mu.Unlock()
	for (!notes && v.bells == 0) || (notes && v.notes == 0) {
		if time.Now().After(deadline) || v.eof {
			t.Fatalf("the terminal has %d bells and %d notifications; it shows:\n%s", v.bells, v.notes, v.textLocked())
		}
		v.cond.Wait()
	}
}

// waitText waits until the screen contains s.
func (v *vt) waitText(t testing.TB, s string) string {
	t.Helper()
	return v.waitFor(t, strconv.Quote(s), func(screen string) bool { return strings.Contains(screen, s) })
}

// stats returns what the screen cannot show.
func (v *vt) stats() (alt bool, bells, colours, attrs int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.inAlt, v.bells, v.colours, v.attrs
}
