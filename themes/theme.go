// Package themes holds pobox's colours and every Lip Gloss style the UI
// draws with. A Theme names semantic colours (text, muted, accent,
// selection, unread, priorities, ok, error, ...); NewStyles builds the
// nested Styles for each component from a Theme and a *lipgloss.Renderer,
// so views never build styles themselves.
//
// Colours switch off, and text attributes (bold, reverse, underline) carry
// the meaning instead, when the theme is Mono, when the renderer's colour
// profile is Ascii, or when its environment sets NO_COLOR (see NewRenderer).
//
// Themes are the built-ins ("default", "high-contrast", "mono") or TOML
// files in <configDir>/themes/<name>.toml (see LoadFile for the format).
package themes

import (
	"slices"

	"github.com/charmbracelet/lipgloss"
)

// Theme is a set of semantic colours. Each is a lipgloss.AdaptiveColor:
// Light is used on light backgrounds and Dark on dark ones; each is
// "#rrggbb", an ANSI colour number "0"-"255", or "" for the terminal's own
// colour.
type Theme struct {
	// Name is the built-in name or the file's base name.
	Name string
	// Mono renders without colour, with bold, reverse, underline and faint
	// text instead.
	Mono bool

	Text   lipgloss.AdaptiveColor // ordinary text
	Muted  lipgloss.AdaptiveColor // secondary text: times, app names, hints
	Accent lipgloss.AdaptiveColor // focus, titles, active search or filter

	SelectionFG lipgloss.AdaptiveColor // the selected row's text
	SelectionBG lipgloss.AdaptiveColor // the selected row's background

	Unread         lipgloss.AdaptiveColor // unread marker and counts
	PriorityHigh   lipgloss.AdaptiveColor // priority 1
	Emergency      lipgloss.AdaptiveColor // priority 2
	PriorityLow    lipgloss.AdaptiveColor // priority -1
	PriorityLowest lipgloss.AdaptiveColor // priority -2

	OK      lipgloss.AdaptiveColor // connected, action succeeded
	Warning lipgloss.AdaptiveColor // reconnecting, confirmations
	Error   lipgloss.AdaptiveColor // offline, failed actions, form errors

	Border   lipgloss.AdaptiveColor // pane borders and rules
	BannerFG lipgloss.AdaptiveColor // emergency banner text
	BannerBG lipgloss.AdaptiveColor // emergency banner background
	Link     lipgloss.AdaptiveColor // hyperlinks
}

// Names of the built-in themes.
const (
	DefaultName      = "default"
	HighContrastName = "high-contrast"
	MonoName         = "mono"
)

// BuiltinNames lists the built-in themes in the order to offer them.
func BuiltinNames() []string {
	return []string{DefaultName, HighContrastName, MonoName}
}

// Builtin returns the built-in theme with that name.
func Builtin(name string) (Theme, bool) {
	switch name {
	case DefaultName:
		return Default(), true
	case HighContrastName:
		return HighContrast(), true
	case MonoName:
		return Mono(), true
	}
	return Theme{}, false
}

// IsBuiltin reports whether name is a built-in theme.
func IsBuiltin(name string) bool {
	return slices.Contains(BuiltinNames(), name)
}

func ac(light, dark string) lipgloss.AdaptiveColor {
	return lipgloss.AdaptiveColor{Light: light, Dark: dark}
}

// Default is the built-in theme: calm colours that adapt to light and dark
// terminals.
func Default() Theme {
	return Theme{
		Name:           DefaultName,
		Text:           ac("#1c1c1c", "#e4e4e4"),
		Muted:          ac("#6c6c6c", "#8a8a8a"),
		Accent:         ac("#5f3dc4", "#b4a0ff"),
		SelectionFG:    ac("#1c1c1c", "#ffffff"),
		SelectionBG:    ac("#dcd6f7", "#3d3566"),
		Unread:         ac("#0b63c5", "#5fb3ff"),
		PriorityHigh:   ac("#b35900", "#ffaf5f"),
		Emergency:      ac("#c40000", "#ff5f5f"),
		PriorityLow:    ac("#808080", "#767676"),
		PriorityLowest: ac("#a8a8a8", "#585858"),
		OK:             ac("#1e7b34", "#5fd787"),
		Warning:        ac("#9a6700", "#e5c07b"),
		Error:          ac("#c40000", "#ff6b6b"),
		Border:         ac("#c6c6c6", "#4e4e4e"),
		BannerFG:       ac("#ffffff", "#ffffff"),
		BannerBG:       ac("#c40000", "#a80000"),
		Link:           ac("#0b63c5", "#5fb3ff"),
	}
}

// HighContrast is the built-in theme for low vision and bright rooms:
// black or white text and saturated signal colours.
func HighContrast() Theme {
	return Theme{
		Name:           HighContrastName,
		Text:           ac("#000000", "#ffffff"),
		Muted:          ac("#303030", "#d0d0d0"),
		Accent:         ac("#0000d7", "#87d7ff"),
		SelectionFG:    ac("#ffffff", "#000000"),
		SelectionBG:    ac("#000000", "#ffffff"),
		Unread:         ac("#0000d7", "#5fd7ff"),
		PriorityHigh:   ac("#af5f00", "#ffd700"),
		Emergency:      ac("#d70000", "#ff5f5f"),
		PriorityLow:    ac("#303030", "#d0d0d0"),
		PriorityLowest: ac("#4e4e4e", "#b2b2b2"),
		OK:             ac("#005f00", "#87ff87"),
		Warning:        ac("#875f00", "#ffff5f"),
		Error:          ac("#d70000", "#ff5f5f"),
		Border:         ac("#000000", "#ffffff"),
		BannerFG:       ac("#ffffff", "#ffffff"),
		BannerBG:       ac("#d70000", "#d70000"),
		Link:           ac("#0000d7", "#87d7ff"),
	}
}

// Mono is the built-in theme without colour: selection in reverse video,
// unread and high priority in bold, links underlined, secondary text faint.
func Mono() Theme {
	return Theme{Name: MonoName, Mono: true}
}

// colourField names a Theme colour in theme files.
type colourField struct {
	key string
	get func(*Theme) *lipgloss.AdaptiveColor
}

// colourFields are the [colors] keys of a theme file, in Theme order.
var colourFields = []colourField{
	{"text", func(t *Theme) *lipgloss.AdaptiveColor { return &t.Text }},
	{"muted", func(t *Theme) *lipgloss.AdaptiveColor { return &t.Muted }},
	{"accent", func(t *Theme) *lipgloss.AdaptiveColor { return &t.Accent }},
	{"selection_fg", func(t *Theme) *lipgloss.AdaptiveColor { return &t.SelectionFG }},
	{"selection_bg", func(t *Theme) *lipgloss.AdaptiveColor { return &t.SelectionBG }},
	{"unread", func(t *Theme) *lipgloss.AdaptiveColor { return &t.Unread }},
	{"priority_high", func(t *Theme) *lipgloss.AdaptiveColor { return &t.PriorityHigh }},
	{"emergency", func(t *Theme) *lipgloss.AdaptiveColor { return &t.Emergency }},
	{"priority_low", func(t *Theme) *lipgloss.AdaptiveColor { return &t.PriorityLow }},
	{"priority_lowest", func(t *Theme) *lipgloss.AdaptiveColor { return &t.PriorityLowest }},
	{"ok", func(t *Theme) *lipgloss.AdaptiveColor { return &t.OK }},
	{"warning", func(t *Theme) *lipgloss.AdaptiveColor { return &t.Warning }},
	{"error", func(t *Theme) *lipgloss.AdaptiveColor { return &t.Error }},
	{"border", func(t *Theme) *lipgloss.AdaptiveColor { return &t.Border }},
	{"banner_fg", func(t *Theme) *lipgloss.AdaptiveColor { return &t.BannerFG }},
	{"banner_bg", func(t *Theme) *lipgloss.AdaptiveColor { return &t.BannerBG }},
	{"link", func(t *Theme) *lipgloss.AdaptiveColor { return &t.Link }},
}
