package themes

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
)

// NewStyles builds every style from the theme t for the renderer r (from
// NewRenderer in the program, or lipgloss.NewRenderer with a fixed profile
// in tests). Without colour (t.Mono, an Ascii profile or NO_COLOR in r's
// environment) the styles carry meaning with attributes alone: reverse
// video for the selection, bold for unread and urgent rows, underline for
// links, faint for secondary text.
func NewStyles(t Theme, r *lipgloss.Renderer) Styles {
	b := builder{r: r, t: t, mono: t.Mono || colourless(r)}
	if b.mono {
		b.t = Theme{Name: t.Name, Mono: true}
	}
	s := Styles{Base: b.base()}
	s.App = b.app()
	s.List = b.list()
	s.Priority = b.priority()
	s.Detail = b.detail()
	s.Status = b.status()
	s.Banner = b.banner()
	s.Help, s.HelpBox = b.help()
	s.Search = b.input(true)
	s.Picker = b.picker(s.List)
	s.Login = b.login()
	s.Confirm = b.confirm()
	return s
}

// builder holds what every style is made from. In mono mode t has no
// colours, so fg and bg add nothing and the attributes chosen per style
// (the `attr` calls) carry the meaning.
type builder struct {
	r    *lipgloss.Renderer
	t    Theme
	mono bool
}

func (b builder) new() lipgloss.Style { return b.r.NewStyle() }

func set(c lipgloss.AdaptiveColor) bool { return c.Light != "" || c.Dark != "" }

// fg is a style in the colour c (nothing in mono mode).
func (b builder) fg(c lipgloss.AdaptiveColor) lipgloss.Style {
	s := b.new()
	if set(c) {
		s = s.Foreground(c)
	}
	return s
}

// withBG adds the background c (nothing in mono mode).
func withBG(s lipgloss.Style, c lipgloss.AdaptiveColor) lipgloss.Style {
	if set(c) {
		return s.Background(c)
	}
	return s
}

// attr applies f only in mono mode: the attribute that replaces a colour.
func (b builder) attr(s lipgloss.Style, f func(lipgloss.Style) lipgloss.Style) lipgloss.Style {
	if b.mono {
		return f(s)
	}
	return s
}

func bold(s lipgloss.Style) lipgloss.Style      { return s.Bold(true) }
func faint(s lipgloss.Style) lipgloss.Style     { return s.Faint(true) }
func reverse(s lipgloss.Style) lipgloss.Style   { return s.Reverse(true) }
func underline(s lipgloss.Style) lipgloss.Style { return s.Underline(true) }
func italic(s lipgloss.Style) lipgloss.Style    { return s.Italic(true) }

func (b builder) muted() lipgloss.Style { return b.attr(b.fg(b.t.Muted), faint) }

func (b builder) border(c lipgloss.AdaptiveColor) lipgloss.Style {
	s := b.new().Border(lipgloss.RoundedBorder())
	if set(c) {
		s = s.BorderForeground(c)
	}
	return s
}

func (b builder) base() BaseStyles {
	return BaseStyles{
		Muted:   b.muted(),
		Accent:  b.attr(b.fg(b.t.Accent), bold),
		Warning: b.attr(b.fg(b.t.Warning), bold),
		Error:   b.fg(b.t.Error).Bold(true),
	}
}

func (b builder) app() AppStyles {
	return AppStyles{
		Title:   b.fg(b.t.Accent).Bold(true),
		Divider: b.attr(b.fg(b.t.Border), faint),
		Empty:   b.muted().Italic(true),
	}
}

func (b builder) list() ListStyles {
	selected := b.attr(withBG(b.fg(b.t.SelectionFG), b.t.SelectionBG), reverse)
	blurred := b.attr(withBG(b.fg(b.t.SelectionFG), b.t.Border), underline)
	return ListStyles{
		Row:             b.fg(b.t.Text),
		Selected:        selected,
		SelectedBlurred: blurred,
		Cursor:          b.fg(b.t.Accent).Bold(true),
		Unread:          b.fg(b.t.Text).Bold(true),
		UnreadMark:      b.fg(b.t.Unread).Bold(true),
		Time:            b.muted(),
		App:             b.muted(),
		Title:           b.fg(b.t.Text),
		Body:            b.muted(),
		High:            b.attr(b.fg(b.t.PriorityHigh), bold),
		Emergency:       b.attr(b.fg(b.t.Emergency).Bold(true), underline),
		EmergencyAcked:  b.fg(b.t.Emergency),
		Match:           b.fg(b.t.Accent).Underline(true),
	}
}

func (b builder) priority() PriorityStyles {
	return PriorityStyles{
		Lowest:         b.attr(b.fg(b.t.PriorityLowest), faint),
		Low:            b.attr(b.fg(b.t.PriorityLow), faint),
		Normal:         b.fg(b.t.Muted), // plain in mono: faint is for low
		High:           b.fg(b.t.PriorityHigh).Bold(true),
		Emergency:      b.attr(b.fg(b.t.Emergency).Bold(true), reverse),
		EmergencyAcked: b.attr(b.fg(b.t.Emergency), underline),
	}
}

func (b builder) detail() DetailStyles {
	body := b.fg(b.t.Text)
	return DetailStyles{
		Title:     b.fg(b.t.Text).Bold(true),
		Label:     b.muted(),
		Value:     b.fg(b.t.Text),
		Body:      body,
		Monospace: body,
		Link:      b.fg(b.t.Link).Underline(true),
		Bold:      body.Bold(true),
		Italic:    body.Italic(true),
		Underline: body.Underline(true),
		Rule:      b.attr(b.fg(b.t.Border), faint),
		Empty:     b.muted().Italic(true),
		colour:    !b.mono,
	}
}

func (b builder) status() StatusStyles {
	return StatusStyles{
		Bar:          b.muted(),
		Connected:    b.fg(b.t.OK),
		Reconnecting: b.attr(b.fg(b.t.Warning), italic),
		Offline:      b.fg(b.t.Error).Bold(true),
		LoggedOut:    b.fg(b.t.Error).Bold(true).Reverse(true),
		LastSync:     b.muted(),
		Counts:       b.fg(b.t.Text),
		Unread:       b.fg(b.t.Unread).Bold(true),
		Filter:       b.attr(b.fg(b.t.Accent).Bold(true), underline),
		Busy:         b.attr(b.fg(b.t.Accent), italic),
		OK:           b.fg(b.t.OK),
		Error:        b.fg(b.t.Error).Bold(true),
		Separator:    b.attr(b.fg(b.t.Border), faint),
	}
}

func (b builder) banner() BannerStyles {
	bar := b.attr(withBG(b.fg(b.t.BannerFG), b.t.BannerBG), reverse)
	return BannerStyles{Bar: bar.Bold(true), Detail: bar}
}

func (b builder) help() (help.Styles, HelpBoxStyles) {
	key := b.attr(b.fg(b.t.Accent), bold)
	desc := b.muted()
	sep := b.attr(b.fg(b.t.Border), faint)
	return help.Styles{
			Ellipsis:       sep,
			ShortKey:       key,
			ShortDesc:      desc,
			ShortSeparator: sep,
			FullKey:        key,
			FullDesc:       desc,
			FullSeparator:  sep,
		}, HelpBoxStyles{
			Title: b.fg(b.t.Accent).Bold(true).Underline(true),
		}
}

func (b builder) input(focused bool) InputStyles {
	prompt := b.muted()
	if focused {
		prompt = b.fg(b.t.Accent).Bold(true)
	}
	return InputStyles{
		Prompt:      prompt,
		Text:        b.fg(b.t.Text),
		Placeholder: b.muted().Italic(true),
		Cursor:      b.fg(b.t.Accent),
		Completion:  b.muted(),
	}
}

func (b builder) picker(l ListStyles) PickerStyles {
	return PickerStyles{
		Frame:    b.border(b.t.Accent).Padding(0, 1),
		Title:    b.fg(b.t.Accent).Bold(true),
		Item:     b.fg(b.t.Text),
		Selected: l.Selected,
		Active:   b.attr(b.fg(b.t.OK), bold),
		Count:    b.muted(),
		Hint:     b.muted(),
	}
}

func (b builder) login() LoginStyles {
	return LoginStyles{
		Frame:        b.border(b.t.Border).Padding(1, 2),
		Title:        b.fg(b.t.Accent).Bold(true),
		Label:        b.muted(),
		LabelFocused: b.fg(b.t.Accent).Bold(true),
		Input:        b.input(false),
		InputFocused: b.input(true),
		Error:        b.fg(b.t.Error).Bold(true),
		Hint:         b.muted(),
		Busy:         b.attr(b.fg(b.t.Accent), italic),
	}
}

func (b builder) confirm() ConfirmStyles {
	return ConfirmStyles{
		Question: b.fg(b.t.Warning).Bold(true),
		Key:      b.attr(b.fg(b.t.Accent).Bold(true), underline),
	}
}
