package ui

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"pobox/cache"
	"pobox/sanitize"
	"pobox/session"
)

// Fields of the login form.
const (
	fieldEmail = iota
	fieldPassword
	fieldTwoFA
	fieldDevice
	fieldCount
)

var fieldLabels = [fieldCount]string{"E-mail", "Password", "Two-factor code", "Device name"}

// loginKeyMap is the login form's key map.
type loginKeyMap struct {
	Next, Prev, Submit, Quit key.Binding
}

func defaultLoginKeyMap() loginKeyMap {
	return loginKeyMap{
		Next:   key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field")),
		Prev:   key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous")),
		Submit: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next / log in")),
		Quit:   key.NewBinding(key.WithKeys("ctrl+c", "esc"), key.WithHelp("esc", "quit")),
	}
}

// ShortHelp implements help.KeyMap.
func (k loginKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Submit, k.Next, k.Prev, k.Quit}
}

// FullHelp implements help.KeyMap.
func (k loginKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// loginModel is the login screen: e-mail, password, a two-factor code
// when the server asks for one, and the device name. It logs in, registers
// the device and hands the result to LoginOptions.Start.
type loginModel struct {
	ctx  context.Context
	opts *LoginOptions
	st   *styles
	mode sanitize.WidthMode
	keys loginKeyMap
	help help.Model

	inputs  [fieldCount]textinput.Model
	focused int
	twofa   bool // the server asked for a code

	busy    bool
	errText string // sanitized, says what to do
	info    string
	account *session.Login // logged in; the device is still to register

	width, height int
}

// loginResultMsg is the outcome of one attempt.
type loginResultMsg struct {
	account *session.Login
	db      *cache.DB
	engine  Engine
	err     error
}

func newLogin(ctx context.Context, opts *LoginOptions, st *styles, mode sanitize.WidthMode) *loginModel {
	m := &loginModel{ctx: ctx, opts: opts, st: st, mode: mode, keys: defaultLoginKeyMap(), help: help.New()}
	m.help.Styles = st.help
	for i := range m.inputs {
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = 256
		in.Cursor.SetMode(cursor.CursorStatic)
		applyInput(&in, st.th.Login.Input)
		m.inputs[i] = in
	}
	m.inputs[fieldPassword].EchoMode = textinput.EchoPassword
	m.inputs[fieldPassword].EchoCharacter = '•'
	m.inputs[fieldTwoFA].CharLimit = 16
	m.inputs[fieldDevice].CharLimit = session.MaxDeviceName
	m.inputs[fieldDevice].SetValue(opts.DeviceName)
	m.focus(fieldEmail)
	return m
}

// Init implements tea.Model.
func (m *loginModel) Init() tea.Cmd { return nil }

// SetSize sets the screen's size.
func (m *loginModel) SetSize(w, h int) {
	m.width, m.height = w, h
	m.help.Width = w
	for i := range m.inputs {
		m.inputs[i].Width = max(min(w-30, 40), 4)
	}
}

// visible reports whether field i is shown.
func (m *loginModel) visible(i int) bool { return i != fieldTwoFA || m.twofa }

func (m *loginModel) focus(i int) tea.Cmd {
	m.inputs[m.focused].Blur()
	applyInput(&m.inputs[m.focused], m.st.th.Login.Input)
	m.focused = i
	applyInput(&m.inputs[i], m.st.th.Login.InputFocused)
	return m.inputs[i].Focus()
}

// step moves the focus to the next visible field in direction d.
func (m *loginModel) step(d int) tea.Cmd {
	i := m.focused
	for {
		i = (i + d + fieldCount) % fieldCount
		if m.visible(i) {
			return m.focus(i)
		}
	}
}

// Update handles one message.
func (m *loginModel) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case loginResultMsg:
		return m.result(msg)
	case tea.KeyMsg:
		switch {
		case key.Matches(msg, m.keys.Quit):
			return tea.Quit
		case m.busy:
			return nil
		case key.Matches(msg, m.keys.Next):
			return m.step(1)
		case key.Matches(msg, m.keys.Prev):
			return m.step(-1)
		case key.Matches(msg, m.keys.Submit):
			if m.focused != fieldDevice {
				return m.step(1)
			}
			return m.submit()
		}
		var cmd tea.Cmd
		m.inputs[m.focused], cmd = m.inputs[m.focused].Update(msg)
		return cmd
	}
	return nil
}

// submit checks the form and starts the login.
func (m *loginModel) submit() tea.Cmd {
	email := strings.TrimSpace(m.inputs[fieldEmail].Value())
	password := m.inputs[fieldPassword].Value()
	code := strings.TrimSpace(m.inputs[fieldTwoFA].Value())
	name := strings.TrimSpace(m.inputs[fieldDevice].Value())
	switch {
	case m.account == nil && email == "":
		m.errText = "enter the e-mail address of your Pushover account"
		return m.focus(fieldEmail)
	case m.account == nil && password == "":
		m.errText = "enter your Pushover password"
		return m.focus(fieldPassword)
	case m.account == nil && m.twofa && code == "":
		m.errText = "enter the code from your authenticator app"
		return m.focus(fieldTwoFA)
	}
	if err := session.CheckDeviceName(name); err != nil {
		m.errText = trimPkg(errText(m.mode, err))
		return m.focus(fieldDevice)
	}
	m.busy, m.errText, m.info = true, "", "logging in…"
	opts, account := m.opts, m.account
	ctx := m.ctx
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		if account == nil {
			l, err := opts.Client.Login(ctx, email, password, code)
			if err != nil {
				return loginResultMsg{err: err}
			}
			account = &l
		}
		id, err := opts.Client.RegisterDevice(ctx, account.Secret, name)
		if err != nil {
			return loginResultMsg{account: account, err: err}
		}
		stored := session.Stored{UserKey: account.UserKey, Secret: account.Secret, DeviceID: id,
			DeviceName: name, APIURL: opts.Client.BaseURL(), WSURL: opts.WSURL, Created: time.Now()}
		db, en, err := opts.Start(ctx, stored)
		return loginResultMsg{account: account, db: db, engine: en, err: err}
	}
}

// result shows what went wrong and where to fix it, or opens the inbox.
func (m *loginModel) result(msg loginResultMsg) tea.Cmd {
	m.busy, m.info = false, ""
	if msg.account != nil {
		m.account = msg.account
	}
	if msg.err == nil {
		m.inputs[fieldPassword].SetValue("") // the password is not kept
		return func() tea.Msg { return loginDoneMsg{db: msg.db, engine: msg.engine} }
	}
	var taken *session.NameTakenError
	switch {
	case errors.As(msg.err, &taken):
		m.inputs[fieldDevice].SetValue(taken.Suggestion)
		m.inputs[fieldDevice].CursorEnd()
		m.errText = "the device name " + m.mode.Line(taken.Name) + " is already taken on your account: press enter to use " +
			m.mode.Line(taken.Suggestion) + ", or edit it"
		return m.focus(fieldDevice)
	case errors.Is(msg.err, session.ErrTwoFactorRequired):
		m.twofa = true
		m.inputs[fieldTwoFA].SetValue("")
		m.errText = trimPkg(errText(m.mode, msg.err))
		return m.focus(fieldTwoFA)
	case errors.Is(msg.err, session.ErrBadCredentials):
		m.errText = trimPkg(errText(m.mode, msg.err))
		return m.focus(fieldPassword)
	default:
		m.errText = trimPkg(errText(m.mode, msg.err)) + " (press enter to try again)"
	}
	return nil
}

// trimPkg drops a package prefix such as "session: " from an error text.
func trimPkg(s string) string {
	for _, p := range []string{"session: ", "cache: ", "sync: "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

// View renders the form, centred.
func (m *loginModel) View() string {
	st := m.st
	inner := max(min(m.width-st.loginBox.GetHorizontalFrameSize(), 64), 10)
	var b strings.Builder
	b.WriteString(st.loginTitle.Render(m.mode.Truncate("Log in to Pushover", inner, "…")))
	b.WriteString("\n")
	b.WriteString(st.loginHint.Render(m.mode.Truncate("pobox registers this terminal as a Pushover device.", inner, "…")))
	b.WriteString("\n")
	for i := range m.inputs {
		if !m.visible(i) {
			continue
		}
		// The focus mark stays visible without colour or attributes.
		label := "  " + fieldLabels[i]
		ls := st.loginLabel
		if i == m.focused {
			label = "> " + fieldLabels[i]
			ls = st.loginFocused
		}
		label += strings.Repeat(" ", 19-m.mode.Width(label))
		b.WriteString("\n")
		b.WriteString(ls.Render(label))
		b.WriteString(m.inputs[i].View())
	}
	b.WriteString("\n\n")
	switch {
	case m.errText != "":
		for i, l := range wrapSpans(m.mode, []sanitize.Span{{Text: m.errText}}, inner, true) {
			if i > 0 {
				b.WriteByte('\n')
			}
			for _, f := range l {
				b.WriteString(st.loginError.Render(f.text))
			}
		}
	case m.info != "":
		b.WriteString(st.loginBusy.Render(m.info))
	}
	box := st.loginBox.Render(b.String())
	body := lipgloss.Place(m.width, max(m.height-1, 1), lipgloss.Center, lipgloss.Center, box)
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		lines[i] = m.mode.Cut(l, m.width)
	}
	return strings.Join(lines, "\n") + "\n" + m.mode.Cut(m.help.ShortHelpView(m.keys.ShortHelp()), m.width)
}
