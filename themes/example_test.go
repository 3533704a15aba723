package themes_test

import (
	"fmt"
	"io"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"pobox/themes"
)

// The program builds its styles once, before Bubble Tea starts:
//
//	theme, err := themes.Load(name, configDir) // name from --theme or POBOX_THEME
//	styles := themes.NewStyles(theme, themes.NewRenderer(os.Stdout))
//
// Tests use a renderer with a fixed profile instead, as here.
func ExampleNewStyles() {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	theme, err := themes.Load("default", "/nonexistent")
	if err != nil {
		fmt.Println(err)
		return
	}
	st := themes.NewStyles(theme, r)
	w, h := st.Picker.Frame.GetFrameSize()
	fmt.Println(st.Picker.Frame.Width(12).Render("apps"), w, h)
	fmt.Println(st.Priority.For(2, false).Render("!!"), st.List.Select(st.List.Time, true).Render("2m"))
	// Output:
	// ╭────────────╮
	// │ apps       │
	// ╰────────────╯ 4 2
	// !! 2m
}

func ExampleLoad_notFound() {
	_, err := themes.Load("solarized", "/nonexistent")
	fmt.Println(err)
	// Output:
	// themes: no such theme "solarized" (no /nonexistent/themes/solarized.toml); available: default, high-contrast, mono
}
