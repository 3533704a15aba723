package themes

import (
	"io"
	"os"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// NewRenderer returns the Lip Gloss renderer for the terminal w (usually
// os.Stdout), to pass to NewStyles. Call it before the Bubble Tea program
// starts: it settles the colour profile and asks the terminal for its
// background colour now, because that query reads from the terminal and
// would race with Bubble Tea's input reader later.
//
// The profile comes from w and the environment as termenv detects it: no
// colour when w is not a terminal, and none under NO_COLOR (or CLICOLOR=0).
// termenv's answer to NO_COLOR would be the Ascii profile, which also drops
// bold and reverse video and with them the selection; so on a terminal
// NewRenderer keeps the ANSI profile for text attributes, and NewStyles,
// seeing NO_COLOR in the renderer's environment, uses no colour. opts are
// passed to termenv (tests inject an environment with
// termenv.WithEnvironment and a terminal with termenv.WithTTY).
func NewRenderer(w io.Writer, opts ...termenv.OutputOption) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(w, opts...)
	out := r.Output()
	if out.EnvNoColor() && out.ColorProfile() != termenv.Ascii {
		r.SetColorProfile(termenv.ANSI)
	} else {
		r.ColorProfile()
	}
	if _, isFile := w.(*os.File); isFile {
		r.HasDarkBackground()
	}
	return r
}

// colourless reports whether styles for r must carry meaning without
// colour: an Ascii profile or NO_COLOR in the renderer's environment.
func colourless(r *lipgloss.Renderer) bool {
	return r.ColorProfile() == termenv.Ascii || r.Output().EnvNoColor()
}
