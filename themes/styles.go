package themes

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
)

// Styles is every style the UI draws with, nested per component. Build it
// once with NewStyles and pass the parts to the components; views never
// call lipgloss.NewStyle. A style that renders untrusted text must only
// ever be given text that went through the sanitize package.
//
// Composition: lipgloss resets all attributes after each rendered piece,
// so a row made of several styled columns loses the selection background
// between them. Render each column with ListStyles.Select(column, focused)
// on the selected row instead of wrapping the row in Selected.
type Styles struct {
	Base     BaseStyles
	App      AppStyles
	List     ListStyles
	Priority PriorityStyles
	Detail   DetailStyles
	Status   StatusStyles
	Banner   BannerStyles
	// Help is assigned as is to a bubbles help.Model's Styles.
	Help    help.Styles
	HelpBox HelpBoxStyles
	Search  InputStyles
	Picker  PickerStyles
	Login   LoginStyles
	Confirm ConfirmStyles
}

// BaseStyles are the plain semantic styles, for text that belongs to no
// particular component: Muted secondary text, Accent the count of newer
// messages, Warning the real host beside a link that names another,
// Error a fatal error's screen.
type BaseStyles struct {
	Muted, Accent, Warning, Error lipgloss.Style
}

// AppStyles frame the whole screen.
type AppStyles struct {
	// Title is the program's name and other headings.
	Title lipgloss.Style
	// Divider draws the rule between the list and the reading pane.
	Divider lipgloss.Style
	// Empty is placeholder text such as "no messages yet".
	Empty lipgloss.Style
}

// ListStyles draw the message list, one row a message.
type ListStyles struct {
	// Row is an ordinary row's text.
	Row lipgloss.Style
	// Selected and SelectedBlurred highlight the selected row while the
	// list has focus and while another pane has it.
	Selected, SelectedBlurred lipgloss.Style
	// Cursor is the gutter mark beside the selected row, which keeps the
	// selection visible without colour or attributes (Ascii profile).
	Cursor lipgloss.Style
	// Unread is an unread row's title; UnreadMark its unread marker.
	Unread, UnreadMark lipgloss.Style
	// The columns of a row.
	Time, App, Title, Body lipgloss.Style
	// High emphasises a priority 1 row's title. Emergency marks the row of
	// an unacknowledged emergency, EmergencyAcked of an acknowledged one.
	High, Emergency, EmergencyAcked lipgloss.Style
	// Match highlights the search terms in a row.
	Match lipgloss.Style
}

// Select returns column with the selection's background (or reverse video)
// under it, keeping the column's own colour: the way to draw each column of
// the selected row. focused says whether the list has focus.
func (l ListStyles) Select(column lipgloss.Style, focused bool) lipgloss.Style {
	if focused {
		return column.Inherit(l.Selected)
	}
	return column.Inherit(l.SelectedBlurred)
}

// PriorityStyles draw priority markers in the list and priority words in
// the detail pane, one per Pushover priority.
type PriorityStyles struct {
	Lowest, Low, Normal, High lipgloss.Style
	// Emergency is an unacknowledged priority 2 message; EmergencyAcked an
	// acknowledged one.
	Emergency, EmergencyAcked lipgloss.Style
}

// For returns the style of a message's priority (-2 to 2; out-of-range
// values clamp), acknowledged saying whether an emergency was acknowledged.
func (p PriorityStyles) For(priority int, acknowledged bool) lipgloss.Style {
	switch {
	case priority <= -2:
		return p.Lowest
	case priority == -1:
		return p.Low
	case priority == 0:
		return p.Normal
	case priority == 1:
		return p.High
	case acknowledged:
		return p.EmergencyAcked
	}
	return p.Emergency
}

// DetailStyles draw the detail pane: header, body and links.
type DetailStyles struct {
	Title lipgloss.Style
	// Label and Value are the header's "app", "date", "priority" lines.
	Label, Value lipgloss.Style
	// Body is the message text; Monospace a monospace=1 body.
	Body, Monospace lipgloss.Style
	// Link is a hyperlink's text (the URL line and <a href> spans).
	Link lipgloss.Style
	// Bold, Italic and Underline are the HTML subset's attributes, already
	// combined with Body; Inline adds their attributes to a span's style.
	Bold, Italic, Underline lipgloss.Style
	// Rule separates the header from the body.
	Rule lipgloss.Style
	// Empty is the pane with no message selected.
	Empty lipgloss.Style

	colour bool // false: HTML colours are ignored
}

// Inline returns the style of one span of an HTML body: Body (or Link when
// link) with the span's attributes and, when colours are on, its colour
// (a link keeps the theme's Link colour so it stays recognisable). color
// must be "" or a validated "#rrggbb", as sanitize.Span.Color is.
func (d DetailStyles) Inline(bold, italic, underline bool, color string, link bool) lipgloss.Style {
	s := d.Body
	if link {
		s = d.Link
	}
	// Inherit adds what the attribute's style sets and s does not (the
	// attribute), keeping s's colour.
	if bold {
		s = s.Inherit(d.Bold)
	}
	if italic {
		s = s.Inherit(d.Italic)
	}
	if underline {
		s = s.Inherit(d.Underline)
	}
	if color != "" && d.colour && !link {
		s = s.Foreground(lipgloss.Color(color))
	}
	return s
}

// StatusStyles draw the status bar.
type StatusStyles struct {
	// Bar is the bar itself and any text without a style of its own.
	Bar lipgloss.Style
	// Connection states.
	Connected, Reconnecting, Offline, LoggedOut lipgloss.Style
	// LastSync is the time of the last sync; Counts the total.
	LastSync, Counts lipgloss.Style
	// Unread is the unread count.
	Unread lipgloss.Style
	// Filter is the active search or filter.
	Filter lipgloss.Style
	// Busy is a running action; OK and Error its transient result.
	Busy, OK, Error lipgloss.Style
	// Separator goes between segments.
	Separator lipgloss.Style
}

// BannerStyles draw the emergency banner across the top.
type BannerStyles struct {
	// Bar is the banner line (set its Width); Detail is the quieter part
	// of it ("oldest: ..."), on the same background.
	Bar, Detail lipgloss.Style
}

// HelpBoxStyles head the full help (the `?` view), whose keys and
// descriptions use Styles.Help.
type HelpBoxStyles struct {
	Title lipgloss.Style
}

// InputStyles style a bubbles textinput.Model. Assign them field by field
// (themes does not import textinput, which would pull in a clipboard
// module): PromptStyle = Prompt, TextStyle = Text, PlaceholderStyle =
// Placeholder, CompletionStyle = Completion, Cursor.Style = Cursor and
// Cursor.TextStyle = Text.
type InputStyles struct {
	Prompt, Text, Placeholder, Cursor, Completion lipgloss.Style
}

// PickerStyles draw the app filter and priority pickers.
type PickerStyles struct {
	Frame, Title lipgloss.Style
	// Item is an entry, Selected the entry under the cursor, Active the
	// mark of the filter in force.
	Item, Selected, Active lipgloss.Style
	// Count is an entry's message count; Hint the keys line.
	Count, Hint lipgloss.Style
}

// LoginStyles draw the login screen.
type LoginStyles struct {
	Frame, Title lipgloss.Style
	// Label and LabelFocused name the fields.
	Label, LabelFocused lipgloss.Style
	// Input is a field without focus, InputFocused the focused one.
	Input, InputFocused InputStyles
	// Error is a failed login's message; Hint the explanation lines.
	Error, Hint lipgloss.Style
	// Busy is "logging in…".
	Busy lipgloss.Style
}

// ConfirmStyles draw a yes/no question such as the delete-up-to prompt
// in the status bar.
type ConfirmStyles struct {
	Question lipgloss.Style
	// Key is the keys to press ("y/n").
	Key lipgloss.Style
}
