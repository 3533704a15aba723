package ui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/textinput"
	"github.com/charmbracelet/lipgloss"

	"pobox/sanitize"
	"pobox/themes"
)

// Row selection states, the first index of styles.rows.
const (
	selNone    = iota
	selFocused // the selected row while the list has focus
	selBlurred // the selected row while the detail pane has it
	selStates
)

// rowStyle styles the columns of one kind of list row.
type rowStyle struct {
	cursor, unread, mark, time, app, title, titleUnread, body, fill lipgloss.Style
	// The search's matches in the title and body: the column's own
	// style, underlined and bold, so that it reads on a selected row too.
	titleMatch, titleUnreadMatch, bodyMatch lipgloss.Style
}

// styles are the theme's styles arranged the way the views use them. This
// is the one place where the UI derives styles (combinations of the
// theme's styles); views never build their own.
type styles struct {
	th *themes.Styles

	rows [selStates][rowKinds]rowStyle

	muted     lipgloss.Style
	empty     lipgloss.Style // an empty list
	emptyPane lipgloss.Style // the reading pane with nothing selected
	fatal     lipgloss.Style // options the UI cannot run with
	loginHint lipgloss.Style
	border    string // the rendered divider between the panes

	detailTitle, meta, prio, emergency, high, link, rule lipgloss.Style
	monospace                                            lipgloss.Style
	hint, findMatch                                      lipgloss.Style // a link's real host; a find's match
	spans                                                map[spanFormat]lipgloss.Style

	banner, bannerDetail lipgloss.Style

	status, statusTitle, statusMuted, statusInfo, statusOK, statusWarn, statusErr lipgloss.Style
	statusFilter, statusLink, statusUnread, statusCounts, statusNewer             lipgloss.Style
	statusSep                                                                     lipgloss.Style

	confirm, confirmKey lipgloss.Style

	help                     help.Styles
	helpTitle, helpOff       lipgloss.Style // helpOff: a binding that does nothing now
	pickerBox, pickerTitle   lipgloss.Style
	pickerEdge               lipgloss.Style // the box's border, drawn by the picker
	pickerBorder             lipgloss.Border
	pickerHint               lipgloss.Style
	pickerItem, pickerSel    lipgloss.Style
	pickerCount, pickerMark  lipgloss.Style
	loginBox, loginTitle     lipgloss.Style
	loginLabel, loginFocused lipgloss.Style
	loginError, loginBusy    lipgloss.Style
}

// spanFormat is the formatting of an HTML span.
type spanFormat struct {
	bold, italic, underline bool
	color                   string
	link                    bool
}

func newStyles(th *themes.Styles) *styles {
	l := th.List
	p := th.Priority
	st := &styles{th: th, spans: map[spanFormat]lipgloss.Style{}}

	base := rowStyle{
		cursor: l.Cursor, unread: l.UnreadMark, mark: p.Normal, time: l.Time, app: l.App,
		title: l.Title, titleUnread: l.Unread, body: l.Body, fill: l.Row,
	}
	kinds := [rowKinds]rowStyle{}
	for k := range kinds {
		kinds[k] = base
	}
	kinds[rowLow].mark, kinds[rowLow].title, kinds[rowLow].titleUnread = p.Low, p.Low, p.Low.Bold(true)
	kinds[rowLowest].mark, kinds[rowLowest].title, kinds[rowLowest].titleUnread = p.Lowest, p.Lowest, p.Lowest.Bold(true)
	kinds[rowLowest].body = p.Lowest
	kinds[rowHigh].mark, kinds[rowHigh].title, kinds[rowHigh].titleUnread = p.High, l.High, l.High.Bold(true)
	kinds[rowEmergency].mark = p.Emergency
	kinds[rowEmergency].title, kinds[rowEmergency].titleUnread = l.Emergency, l.Emergency
	kinds[rowEmergency].time, kinds[rowEmergency].app = l.EmergencyAcked, l.EmergencyAcked
	kinds[rowPending].mark, kinds[rowPending].title, kinds[rowPending].titleUnread = p.EmergencyAcked, l.EmergencyAcked, l.EmergencyAcked
	kinds[rowAcked].mark = p.EmergencyAcked
	kinds[rowExpired].mark, kinds[rowExpired].title, kinds[rowExpired].titleUnread = p.EmergencyAcked, l.EmergencyAcked, l.EmergencyAcked
	marked := func(rs *rowStyle) {
		m := func(c lipgloss.Style) lipgloss.Style { return c.Underline(true).Bold(true) }
		rs.titleMatch, rs.titleUnreadMatch, rs.bodyMatch = m(rs.title), m(rs.titleUnread), m(rs.body)
	}
	for k, rs := range kinds {
		marked(&rs)
		st.rows[selNone][k] = rs
		for _, sel := range []int{selFocused, selBlurred} {
			f := sel == selFocused
			s := func(c lipgloss.Style) lipgloss.Style { return l.Select(c, f) }
			st.rows[sel][k] = rowStyle{
				cursor: s(rs.cursor), unread: s(rs.unread), mark: s(rs.mark), time: s(rs.time),
				app: s(rs.app), title: s(rs.title), titleUnread: s(rs.titleUnread), body: s(rs.body),
				fill: s(rs.fill),
			}
			marked(&st.rows[sel][k])
		}
	}

	st.muted, st.empty = th.Base.Muted, th.App.Empty
	st.emptyPane, st.fatal, st.loginHint = th.Detail.Empty, th.Base.Error, th.Login.Hint
	st.border = th.App.Divider.Render("│")

	d := th.Detail
	st.detailTitle, st.meta, st.prio, st.link, st.rule = d.Title, d.Value, d.Label, d.Link, d.Rule
	st.monospace = d.Monospace
	st.emergency, st.high = p.Emergency, p.High
	st.hint, st.findMatch = th.Base.Warning, l.Match

	st.banner, st.bannerDetail = th.Banner.Bar, th.Banner.Detail

	s := th.Status
	st.status, st.statusTitle, st.statusMuted = s.Bar, th.App.Title, s.LastSync
	st.statusInfo, st.statusOK, st.statusErr = s.Busy, s.OK, s.Error
	st.statusWarn, st.statusFilter, st.statusUnread = s.Reconnecting, s.Filter, s.Unread
	st.statusLink, st.statusCounts, st.statusNewer = d.Link, s.Counts, th.Base.Accent
	st.statusSep = s.Separator

	st.confirm, st.confirmKey = th.Confirm.Question, th.Confirm.Key

	st.help = th.Help
	st.helpTitle = th.HelpBox.Title
	st.helpOff = th.Help.FullDesc.Faint(true)
	pk := th.Picker
	st.pickerBox, st.pickerTitle, st.pickerItem, st.pickerSel = pk.Frame, pk.Title, pk.Item, pk.Selected
	st.pickerCount, st.pickerMark, st.pickerHint = pk.Count, pk.Active, pk.Hint
	st.pickerBorder = pk.Frame.GetBorderStyle()
	st.pickerEdge = pk.Frame.UnsetBorderStyle().UnsetPadding().UnsetBorderForeground().Foreground(pk.Frame.GetBorderTopForeground())
	lg := th.Login
	st.loginBox, st.loginTitle, st.loginLabel, st.loginFocused = lg.Frame, lg.Title, lg.Label, lg.LabelFocused
	st.loginError, st.loginBusy = lg.Error, lg.Busy
	return st
}

// connStyle is the status bar's style of a connection state.
func (st *styles) connStyle(k connStateKind) lipgloss.Style {
	s := st.th.Status
	switch k {
	case connConnected, connFollowing:
		return s.Connected
	case connReconnecting, connStopped:
		return s.Reconnecting
	case connOffline:
		return s.Offline
	case connLoggedOut, connElsewhere, connReplaced:
		return s.LoggedOut
	}
	return s.LastSync
}

// noticeStyle is the status bar's style of a notice.
func (st *styles) noticeStyle(k noticeKind) lipgloss.Style {
	switch k {
	case noticeOK:
		return st.statusOK
	case noticeErr:
		return st.statusErr
	}
	return st.statusInfo
}

// span returns the style of an HTML or linkified span of a body.
func (st *styles) span(sp sanitize.Span) lipgloss.Style {
	f := spanFormat{sp.Bold, sp.Italic, sp.Underline, sp.Color, sp.Href != ""}
	if s, ok := st.spans[f]; ok {
		return s
	}
	s := st.th.Detail.Inline(f.bold, f.italic, f.underline, f.color, f.link)
	if len(st.spans) < 256 { // colours come from messages: bound the map
		st.spans[f] = s
	}
	return s
}

// applyInput styles a text input with the theme's input styles.
func applyInput(in *textinput.Model, s themes.InputStyles) {
	in.PromptStyle = s.Prompt
	in.TextStyle = s.Text
	in.PlaceholderStyle = s.Placeholder
	in.CompletionStyle = s.Completion
	in.Cursor.Style = s.Cursor
	in.Cursor.TextStyle = s.Text
}
