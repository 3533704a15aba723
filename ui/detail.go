package ui

import (
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"pobox/cache"
	"pobox/sanitize"
)

// component is a pane as soft-serve's are: a model that sizes itself and
// names its keys for the help.
type component interface {
	Update(tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
	help.KeyMap
}

var _ component = (*detailPane)(nil)

// detailPane is the reading pane, a component as bubbles' viewport is:
// SetSize, Update (scrolling, the wheel and the find), View (or visible,
// into a reused buffer), and its key map for help. The selected message
// is laid out to the pane's width once, then scrolled by slicing its
// lines; it is laid out again only when the message, its state or the
// width changes. A footer line shows the scroll position when the
// message is longer than the pane, and the find (/, n, N) with its count
// of matches.
//
// Keys that act on the list (next message, actions, back) are the
// parent's: it offers each key to its own bindings first and gives the
// pane the rest, except while the find field has focus, when the pane
// gets every key.
type detailPane struct {
	st   *styles
	mode sanitize.WidthMode
	r    *bodyRenderer
	keys detailKeyMap
	now  func() time.Time

	width, height int
	empty         string // shown when nothing is selected
	device        int64  // the login's device: a message of another is named by its device

	msg   cache.Message
	has   bool
	key   detailKey
	lines []bodyLine // each exactly width cells
	top   int        // first visible line

	find    textinput.Model
	finding bool    // the find field has focus
	query   string  // the find in force
	matches []match // of query, in the order of the text
	cur     int     // index in matches of the current one
	marked  map[int]string
}

// bodyLine is one laid-out line of a message.
type bodyLine struct {
	text  string          // rendered, exactly the pane's width
	frags []frag          // what it was rendered from; nil for fixed lines
	style *lipgloss.Style // the style of every fragment, or nil (span styles)
	plain string          // the text of frags, for the find
	w     int             // cells of frags
}

// match is a find's match: a range of a line's plain text.
type match struct {
	line int
	span
}

// detailKey is everything a layout depends on.
type detailKey struct {
	id                int64
	width             int
	acked, ackPending bool
	expired           bool
	otherDevice       bool
	has               bool
}

// detailKeyMap holds the pane's own bindings.
type detailKeyMap struct {
	Down, Up, PageDown, PageUp, HalfDown, HalfUp, Top, Bottom key.Binding
	Find, FindNext, FindPrev                                  key.Binding
	FindAccept, FindCancel                                    key.Binding
}

func defaultDetailKeyMap() detailKeyMap {
	return detailKeyMap{
		Down:       key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "scroll down")),
		Up:         key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "scroll up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown", "ctrl+f", " "), key.WithHelp("pgdn/ctrl+f/space", "page down")),
		PageUp:     key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup/ctrl+b", "page up")),
		HalfDown:   key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "half page down")),
		HalfUp:     key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "half page up")),
		Top:        key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
		Bottom:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "end")),
		Find:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "find in message")),
		FindNext:   key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		FindPrev:   key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		FindAccept: key.NewBinding(key.WithKeys("enter", "tab"), key.WithHelp("enter", "keep find")),
		FindCancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear find")),
	}
}

func newDetailPane(st *styles, mode sanitize.WidthMode, now func() time.Time) detailPane {
	d := detailPane{st: st, mode: mode, r: newBodyRenderer(st, mode), keys: defaultDetailKeyMap(), now: now}
	d.find = textinput.New()
	d.find.Prompt = "find: "
	d.find.Placeholder = "text in this message"
	d.find.CharLimit = 100
	d.find.Cursor.SetMode(cursor.CursorStatic)
	applyInput(&d.find, st.th.Search)
	return d
}

// SetSize implements the component's sizing: the pane's size in cells.
func (d *detailPane) SetSize(w, h int) {
	if w != d.width {
		d.lines = nil // laid out again at the new width
	}
	d.width, d.height = max(w, 1), max(h, 1)
	d.find.Width = max(d.width-len(d.find.Prompt)-12, 1)
	d.clamp()
}

// set shows m (ok false: nothing selected). A different message starts at
// its top; a find in force applies to it too.
func (d *detailPane) set(m cache.Message, ok bool) {
	if !ok || !d.has || m.Key != d.msg.Key {
		d.top = 0
		d.cur = 0
	}
	d.msg, d.has = m, ok
}

// updateKeybindings enables the bindings that do something now.
func (d *detailPane) updateKeybindings() {
	k := &d.keys
	typing := d.finding
	for _, b := range []*key.Binding{&k.Down, &k.Up, &k.PageDown, &k.PageUp, &k.HalfDown, &k.HalfUp, &k.Top, &k.Bottom, &k.Find} {
		b.SetEnabled(!typing && d.has)
	}
	k.FindNext.SetEnabled(!typing && d.query != "")
	k.FindPrev.SetEnabled(!typing && d.query != "")
	k.FindAccept.SetEnabled(typing)
	k.FindCancel.SetEnabled(typing)
}

// Update handles a key or the mouse wheel given to the pane.
func (d *detailPane) Update(msg tea.Msg) tea.Cmd {
	defer d.updateKeybindings()
	d.layout()
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if d.finding {
			return d.updateFind(msg)
		}
		return d.updateKey(msg)
	case tea.MouseMsg:
		switch msg.Button {
		case tea.MouseButtonWheelUp:
			d.scroll(-1)
		case tea.MouseButtonWheelDown:
			d.scroll(1)
		}
	}
	return nil
}

// updateKey handles a key outside the find field.
func (d *detailPane) updateKey(msg tea.KeyMsg) tea.Cmd {
	k := &d.keys
	h := d.contentHeight()
	switch {
	case key.Matches(msg, k.Down):
		d.scroll(1)
	case key.Matches(msg, k.Up):
		d.scroll(-1)
	case key.Matches(msg, k.PageDown):
		d.scroll(max(h-1, 1))
	case key.Matches(msg, k.PageUp):
		d.scroll(-max(h-1, 1))
	case key.Matches(msg, k.HalfDown):
		d.scroll(max(h/2, 1))
	case key.Matches(msg, k.HalfUp):
		d.scroll(-max(h/2, 1))
	case key.Matches(msg, k.Top):
		d.scroll(-len(d.lines))
	case key.Matches(msg, k.Bottom):
		d.scroll(len(d.lines))
	case key.Matches(msg, k.Find):
		d.finding = true
		d.find.SetValue(d.query)
		d.find.CursorEnd()
		return d.find.Focus()
	case key.Matches(msg, k.FindNext):
		d.step(1)
	case key.Matches(msg, k.FindPrev):
		d.step(-1)
	}
	return nil
}

// updateFind feeds the find field; matches follow as one types.
func (d *detailPane) updateFind(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, d.keys.FindCancel):
		d.finding = false
		d.find.Blur()
		d.setQuery("")
		return nil
	case key.Matches(msg, d.keys.FindAccept):
		d.finding = false
		d.find.Blur()
		return nil
	}
	var cmd tea.Cmd
	d.find, cmd = d.find.Update(msg)
	d.setQuery(d.find.Value())
	return cmd
}

// clearFind ends the find in force; it reports whether there was one (esc
// clears it before it closes the pane).
func (d *detailPane) clearFind() bool {
	if d.query == "" && !d.finding {
		return false
	}
	d.finding = false
	d.find.Blur()
	d.setQuery("")
	d.updateKeybindings()
	return true
}

// setQuery finds q in the message and shows the first match at or after
// the top of the view.
func (d *detailPane) setQuery(q string) {
	if q == d.query {
		return
	}
	d.query = q
	d.findAll()
	d.cur = 0
	for i, mt := range d.matches {
		if mt.line >= d.top {
			d.cur = i
			break
		}
	}
	d.reveal()
}

// step moves to the next (n > 0) or previous match, wrapping around.
func (d *detailPane) step(n int) {
	if len(d.matches) == 0 {
		return
	}
	d.cur = ((d.cur+n)%len(d.matches) + len(d.matches)) % len(d.matches)
	d.reveal()
}

// reveal scrolls the current match into view.
func (d *detailPane) reveal() {
	if d.cur >= len(d.matches) {
		return
	}
	l, h := d.matches[d.cur].line, d.contentHeight()
	if l < d.top || l >= d.top+h {
		d.top = l - h/3
	}
	d.clamp()
}

// findAll finds the query in every line, ignoring case; a match does not
// cross lines. Lines with matches are rendered again with them marked.
func (d *detailPane) findAll() {
	d.matches = d.matches[:0]
	clear(d.marked)
	q := []rune(d.query)
	if len(q) == 0 {
		return
	}
	if d.marked == nil {
		d.marked = map[int]string{}
	}
	for i := range d.lines {
		l := &d.lines[i]
		if l.frags == nil {
			continue
		}
		var spans []span
		for at := 0; at < len(l.plain); {
			if n := foldPrefix(l.plain[at:], q); n > 0 {
				spans = append(spans, span{at, at + n})
				d.matches = append(d.matches, match{line: i, span: span{at, at + n}})
				at += n
				continue
			}
			_, size := utf8.DecodeRuneInString(l.plain[at:])
			at += size
		}
		if len(spans) > 0 {
			s, w := d.r.fragments(l.frags, l.style, spans)
			d.marked[i] = d.r.padTo(s, w, d.width)
		}
	}
}

// foldPrefix returns the length in bytes of the prefix of s that equals
// q ignoring case, or 0.
func foldPrefix(s string, q []rune) int {
	at := 0
	for _, qr := range q {
		if at >= len(s) {
			return 0
		}
		r, size := utf8.DecodeRuneInString(s[at:])
		if r != qr && unicode.ToLower(r) != unicode.ToLower(qr) {
			return 0
		}
		at += size
	}
	return at
}

// scroll moves the view n lines down (up when n < 0).
func (d *detailPane) scroll(n int) {
	d.layout()
	d.top += n
	d.clamp()
}

// footer reports whether the pane's last line is its footer: the message
// is longer than the pane, or a find is on.
func (d *detailPane) footer() bool {
	return d.height > 1 && (len(d.lines) > d.height || d.finding || d.query != "")
}

// contentHeight is the number of message lines shown.
func (d *detailPane) contentHeight() int {
	if d.footer() {
		return d.height - 1
	}
	return d.height
}

func (d *detailPane) clamp() {
	d.top = max(min(d.top, len(d.lines)-d.contentHeight()), 0)
}

// layout renders the message when anything it depends on changed.
func (d *detailPane) layout() {
	now := d.now()
	k := detailKey{id: d.msg.Key, width: d.width, acked: d.msg.Acked, ackPending: d.msg.AckPending,
		expired: expired(&d.msg, now), otherDevice: d.msg.Device != d.device, has: d.has}
	if k == d.key && d.lines != nil {
		return
	}
	d.key = k
	d.lines = d.lines[:0]
	if d.has {
		d.lines = d.r.message(d.lines, &d.msg, d.width, now, k.otherDevice)
	}
	d.findAll()
	d.cur = min(d.cur, max(len(d.matches)-1, 0))
	d.clamp()
}

// View implements component: the visible lines, one under the other.
func (d *detailPane) View() string { return strings.Join(d.visible(nil), "\n") }

// visible renders the visible lines into dst, height of them, each width
// cells wide.
func (d *detailPane) visible(dst []string) []string {
	d.layout()
	dst = dst[:0]
	h := d.contentHeight()
	for i := 0; i < h; i++ {
		switch j := d.top + i; {
		case j < len(d.lines):
			if s, ok := d.marked[j]; ok {
				dst = append(dst, s)
			} else {
				dst = append(dst, d.lines[j].text)
			}
		case i == 0 && !d.has:
			t := d.mode.Truncate(d.empty, d.width, "…")
			dst = append(dst, d.r.padTo(d.st.emptyPane.Render(t), d.mode.Width(t), d.width))
		default:
			dst = append(dst, d.r.spaces(d.width))
		}
	}
	if d.footer() {
		dst = append(dst, d.footerView())
	}
	return dst
}

// footerView is the find field, or the find in force, or the scroll
// position.
func (d *detailPane) footerView() string {
	st := d.st
	count := ""
	if d.query != "" {
		switch len(d.matches) {
		case 0:
			count = "no match"
		default:
			count = strconv.Itoa(d.cur+1) + "/" + plural(len(d.matches), "match", "matches")
		}
	}
	if d.finding {
		in := d.mode.Cut(d.find.View(), max(d.width-len(count)-2, 1))
		w := d.mode.Width(in)
		line := in
		if count != "" && w+2+len(count) <= d.width {
			line += "  " + st.muted.Render(count)
			w += 2 + len(count)
		}
		return d.r.padTo(line, w, d.width)
	}
	var parts []string
	if d.query != "" {
		parts = append(parts, "/"+d.mode.Line(d.query)+" "+count+" · n next · N previous")
	}
	if len(d.lines) > d.contentHeight() {
		last := min(d.top+d.contentHeight(), len(d.lines))
		pct := 100 * last / len(d.lines)
		parts = append(parts, "lines "+strconv.Itoa(d.top+1)+"–"+strconv.Itoa(last)+" of "+strconv.Itoa(len(d.lines))+" ("+strconv.Itoa(pct)+"%)")
	}
	t := d.mode.Truncate(strings.Join(parts, " · "), d.width, "…")
	return d.r.padTo(st.muted.Render(t), d.mode.Width(t), d.width)
}

// message lays m out in lines of exactly width cells; device names the
// device its id belongs to (an earlier login's).
func (r *bodyRenderer) message(lines []bodyLine, m *cache.Message, width int, now time.Time, device bool) []bodyLine {
	st := r.st
	mode := r.mode
	fixed := func(styled string, w int) {
		lines = append(lines, bodyLine{text: mode.Cut(r.padTo(styled, w, width), width)})
	}
	wrapped := func(text string, style lipgloss.Style) {
		for _, l := range wrapSpans(mode, []sanitize.Span{{Text: mode.Text(text)}}, width, true) {
			s, w := r.fragments(l, &style, nil)
			lines = append(lines, bodyLine{text: mode.Cut(r.padTo(s, w, width), width), frags: l, style: &style,
				plain: plainOf(l), w: w})
		}
	}

	title := m.Title
	if title == "" {
		title = m.App
	}
	wrapped(mode.Line(title), st.detailTitle)

	meta := mode.Line(m.App) + " · #" + strconv.FormatInt(m.ID, 10)
	if device && m.DeviceName != "" {
		meta += " (of " + mode.Line(m.DeviceName) + ")"
	}
	meta += " · " + fullDate(m.Time(), now)
	wrapped(meta, st.meta)

	prio := "priority " + priorityWords(m.Priority)
	switch {
	case m.IsEmergency() && m.AckPending && !m.Acked:
		prio += " · acknowledgement queued: Pushover pages until it is sent"
	case m.IsEmergency() && m.Acked:
		prio += " · acknowledged"
	case expired(m, now):
		prio += " · expired: paging ended, nobody acknowledged it"
	case m.IsEmergency():
		prio += " · NOT ACKNOWLEDGED: press a"
	}
	switch {
	case m.NeedsAck() && !m.AckPending && !expired(m, now):
		wrapped(prio, st.emergency)
	case m.Priority >= 1:
		wrapped(prio, st.high)
	default:
		wrapped(prio, st.prio)
	}
	if m.Problem != "" {
		wrapped("note: part of this message could not be read ("+mode.Line(m.Problem)+")", st.muted)
	}

	if m.URL != "" {
		lines = r.link(lines, m, width)
	}
	fixed(st.rule.Render(strings.Repeat("─", width)), width)

	var spans []sanitize.Span
	if m.HTML {
		spans = mode.HTML(m.Message)
	} else {
		spans = mode.Linkify(m.Message)
	}
	var style *lipgloss.Style
	if m.Monospace {
		style = &st.monospace
	}
	for _, l := range wrapSpans(mode, spans, width, !m.Monospace) {
		s, w := r.fragments(l, style, nil)
		lines = append(lines, bodyLine{text: mode.Cut(r.padTo(s, w, width), width), frags: l, style: style, plain: plainOf(l), w: w})
	}
	return lines
}

// plainOf is the text of a wrapped line.
func plainOf(l []frag) string {
	if len(l) == 1 {
		return l[0].text
	}
	var b strings.Builder
	for _, f := range l {
		b.WriteString(f.text)
	}
	return b.String()
}

// link renders the message's URL: its title as an OSC 8 hyperlink (http
// and https only) and the address itself, so that the target is never
// hidden behind the title.
func (r *bodyRenderer) link(lines []bodyLine, m *cache.Message, width int) []bodyLine {
	st, mode := r.st, r.mode
	add := func(styled string, w int) {
		lines = append(lines, bodyLine{text: mode.Cut(r.padTo(styled, w, width), width)})
	}
	u, ok := sanitize.SafeURL(m.URL)
	label := mode.Line(m.URLTitle)
	if !ok {
		text := mode.Truncate("link (not opened: not a web address): "+mode.Line(m.URL), width, "…")
		add(st.muted.Render(text), mode.Width(text))
		return lines
	}
	if label == "" {
		label = u
	}
	text := mode.Truncate("↗ "+label, width, "…")
	add(sanitize.WrapHyperlink(u, st.link.Render(text)), mode.Width(text))
	if label != u {
		addr := mode.Truncate("  "+u, width, "…")
		add(st.muted.Render(addr), mode.Width(addr))
	}
	return lines
}

// ShortHelp implements help.KeyMap.
func (d *detailPane) ShortHelp() []key.Binding { return d.keys.ShortHelp() }

// FullHelp implements help.KeyMap.
func (d *detailPane) FullHelp() [][]key.Binding { return d.keys.FullHelp() }

// ShortHelp implements help.KeyMap.
func (k detailKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.FindAccept, k.FindCancel, k.Down, k.Up, k.Find, k.FindNext, k.FindPrev}
}

// FullHelp implements help.KeyMap.
func (k detailKeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Down, k.Up, k.PageDown, k.PageUp, k.HalfDown, k.HalfUp, k.Top, k.Bottom},
		{k.Find, k.FindNext, k.FindPrev},
	}
}
