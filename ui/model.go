package ui

import (
	"context"

	tea "github.com/charmbracelet/bubbletea"

	"pobox/cache"
)

// Model is the root model: the login screen until a login succeeds, then
// the inbox.
type Model struct {
	ctx  context.Context
	opts *Options
	st   *styles

	width, height int

	login *loginModel
	inbox *inbox
	err   error // options the UI cannot run with
}

var _ tea.Model = (*Model)(nil)

// loginDoneMsg: the login succeeded and Start opened the cache.
type loginDoneMsg struct {
	db     *cache.DB
	engine Engine
}

func newModel(ctx context.Context, opts Options) *Model {
	opts.defaults()
	m := &Model{ctx: ctx, opts: &opts}
	m.st = newStyles(opts.Styles)
	switch {
	case opts.check() != nil:
		m.err = opts.check()
	case opts.DB == nil:
		m.login = newLogin(ctx, opts.Login, m.st, m.opts.mode)
	default:
		m.inbox = newInbox(ctx, m.opts, m.st, opts.DB, opts.Engine)
	}
	return m
}

// Init implements tea.Model.
func (m *Model) Init() tea.Cmd {
	switch {
	case m.inbox != nil:
		return m.inbox.Init()
	case m.login != nil:
		return m.login.Init()
	}
	return nil
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if m.inbox != nil {
			m.inbox.SetSize(msg.Width, msg.Height)
			return m, m.inbox.extendCmd()
		}
		if m.login != nil {
			m.login.SetSize(msg.Width, msg.Height)
		}
		return m, nil
	case loginDoneMsg:
		m.opts.DB, m.opts.Engine = msg.db, msg.engine
		m.login = nil
		m.inbox = newInbox(m.ctx, m.opts, m.st, msg.db, msg.engine)
		m.inbox.SetSize(m.width, m.height)
		return m, m.inbox.Init()
	case tea.KeyMsg:
		if m.err != nil {
			return m, tea.Quit
		}
	}
	switch {
	case m.inbox != nil:
		return m, m.inbox.Update(msg)
	case m.login != nil:
		return m, m.login.Update(msg)
	}
	return m, nil
}

// View implements tea.Model.
func (m *Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	switch {
	case m.inbox != nil:
		return m.inbox.View()
	case m.login != nil:
		return m.login.View()
	}
	return m.st.fatal.Render(errText(m.opts.mode, m.err)) + "\n" + m.st.muted.Render("press any key to quit")
}
