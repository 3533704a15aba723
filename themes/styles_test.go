package themes

import (
	"io"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// env is a fake environment for termenv.
type env map[string]string

func (e env) Environ() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}
func (e env) Getenv(k string) string { return e[k] }

// renderer returns a renderer with a fixed profile and background.
func renderer(p termenv.Profile, dark bool) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(io.Discard, termenv.WithEnvironment(env{}))
	r.SetColorProfile(p)
	r.SetHasDarkBackground(dark)
	return r
}

// rendered renders "x" with every lipgloss.Style in s, keyed by its path.
func rendered(s Styles) map[string]string {
	out := map[string]string{}
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		if st, ok := v.Interface().(lipgloss.Style); ok {
			out[path] = st.Render("x")
			return
		}
		if v.Kind() != reflect.Struct {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walk(path+"."+v.Type().Field(i).Name, v.Field(i))
			}
		}
	}
	walk("Styles", reflect.ValueOf(s))
	return out
}

// sgrColour matches an SGR sequence that sets a colour: 30-37, 38;..,
// 39-47, 48;.., 49, 90-97, 100-107.
var sgrColour = regexp.MustCompile(`\x1b\[([0-9;]*;)?(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9;]*)?m`)

func TestNoColourRendersNoColour(t *testing.T) {
	noColor := NewRenderer(io.Discard, termenv.WithTTY(true),
		termenv.WithEnvironment(env{"NO_COLOR": "1", "TERM": "xterm-256color", "COLORTERM": "truecolor"}))
	if p := noColor.ColorProfile(); p != termenv.ANSI {
		t.Fatalf("NO_COLOR on a terminal: profile %v, want ANSI so that attributes stay", p)
	}
	cases := map[string]*lipgloss.Renderer{
		"NO_COLOR":        noColor,
		"MonoOnTrueColor": renderer(termenv.TrueColor, true),
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			for _, theme := range []Theme{Default(), HighContrast(), Mono()} {
				if name == "MonoOnTrueColor" {
					theme = Mono()
				}
				s := NewStyles(theme, r)
				for path, out := range rendered(s) {
					if sgrColour.MatchString(out) {
						t.Errorf("%s %s renders a colour: %q", theme.Name, path, out)
					}
				}
				// Meaning survives through attributes.
				if out := s.List.Selected.Render("x"); !strings.Contains(out, "7m") && !strings.Contains(out, ";7") {
					t.Errorf("%s selection %q is not reverse video", theme.Name, out)
				}
				if out := s.List.Unread.Render("x"); !strings.Contains(out, "\x1b[1") {
					t.Errorf("%s unread %q is not bold", theme.Name, out)
				}
				if out := s.Detail.Inline(false, false, false, "#ff0000", false).Render("x"); sgrColour.MatchString(out) {
					t.Errorf("%s HTML colour rendered without colour allowed: %q", theme.Name, out)
				}
			}
		})
	}
}

func TestAsciiRendersPlainText(t *testing.T) {
	for _, theme := range []Theme{Default(), HighContrast(), Mono()} {
		for path, out := range rendered(NewStyles(theme, renderer(termenv.Ascii, true))) {
			if strings.Contains(out, "\x1b") {
				t.Errorf("%s %s: %q holds an escape", theme.Name, path, out)
			}
		}
	}
}

func TestNewRendererWithoutTerminal(t *testing.T) {
	r := NewRenderer(io.Discard, termenv.WithEnvironment(env{"TERM": "xterm-256color"}))
	if p := r.ColorProfile(); p != termenv.Ascii {
		t.Errorf("profile for a non-terminal = %v, want Ascii", p)
	}
	r = NewRenderer(io.Discard, termenv.WithTTY(true), termenv.WithEnvironment(env{"TERM": "xterm-256color"}))
	if p := r.ColorProfile(); p != termenv.ANSI256 {
		t.Errorf("profile for xterm-256color = %v, want ANSI256", p)
	}
	if colourless(r) {
		t.Error("colourless without NO_COLOR")
	}
}

func TestColourThemesUseColour(t *testing.T) {
	for _, theme := range []Theme{Default(), HighContrast()} {
		dark := NewStyles(theme, renderer(termenv.TrueColor, true))
		light := NewStyles(theme, renderer(termenv.TrueColor, false))
		if out := dark.List.Selected.Render("x"); !strings.Contains(out, "48;2;") {
			t.Errorf("%s selection %q has no background colour", theme.Name, out)
		}
		if out := dark.Banner.Bar.Render("x"); !strings.Contains(out, "48;2;") {
			t.Errorf("%s banner %q has no background colour", theme.Name, out)
		}
		if dark.Detail.Body.Render("x") == light.Detail.Body.Render("x") {
			t.Errorf("%s text looks the same on light and dark backgrounds", theme.Name)
		}
		if out := dark.Detail.Inline(true, false, false, "#ff0000", false).Render("x"); !strings.Contains(out, "38;2;255;0;0") {
			t.Errorf("%s HTML colour not applied: %q", theme.Name, out)
		}
		// Every style renders distinctly enough to tell states apart.
		st := dark.Status
		states := []lipgloss.Style{st.Connected, st.Reconnecting, st.Offline, st.LoggedOut}
		seen := map[string]bool{}
		for _, s := range states {
			seen[s.Render("x")] = true
		}
		if len(seen) != len(states) {
			t.Errorf("%s connection states are not all distinct", theme.Name)
		}
	}
}

func TestMonoStatesDistinct(t *testing.T) {
	s := NewStyles(Mono(), renderer(termenv.ANSI, true))
	groups := map[string][]lipgloss.Style{
		"connection": {s.Status.Connected, s.Status.Reconnecting, s.Status.Offline, s.Status.LoggedOut},
		"priority": {s.Priority.Lowest, s.Priority.Normal, s.Priority.High,
			s.Priority.Emergency, s.Priority.EmergencyAcked},
		"selection": {s.List.Row, s.List.Selected, s.List.SelectedBlurred},
	}
	for name, styles := range groups {
		seen := map[string]bool{}
		for _, st := range styles {
			seen[st.Render("x")] = true
		}
		if len(seen) != len(styles) {
			t.Errorf("mono %s styles are not all distinct", name)
		}
	}
}

func TestFrameSizesMatch(t *testing.T) {
	for _, theme := range []Theme{Default(), HighContrast(), Mono()} {
		s := NewStyles(theme, renderer(termenv.TrueColor, true))
		if w, h := s.Picker.Frame.GetFrameSize(); w != 4 || h != 2 {
			t.Errorf("%s picker frame %dx%d, want 4x2 (the picker draws it, from these sizes)", theme.Name, w, h)
		}
		if s.Login.Input.Prompt.GetHorizontalFrameSize() != s.Login.InputFocused.Prompt.GetHorizontalFrameSize() {
			t.Errorf("%s login inputs change size with focus", theme.Name)
		}
	}
}

func TestPriorityFor(t *testing.T) {
	s := NewStyles(Default(), renderer(termenv.TrueColor, true)).Priority
	tests := []struct {
		priority int
		acked    bool
		want     lipgloss.Style
	}{
		{-5, false, s.Lowest}, {-2, false, s.Lowest}, {-1, false, s.Low}, {0, false, s.Normal},
		{1, false, s.High}, {2, false, s.Emergency}, {2, true, s.EmergencyAcked}, {9, false, s.Emergency},
	}
	for _, tc := range tests {
		if got := s.For(tc.priority, tc.acked).Render("x"); got != tc.want.Render("x") {
			t.Errorf("For(%d, %v) = %q, want %q", tc.priority, tc.acked, got, tc.want.Render("x"))
		}
	}
}

func TestSelectKeepsColumnColour(t *testing.T) {
	s := NewStyles(Default(), renderer(termenv.TrueColor, true)).List
	out := s.Select(s.Time, true).Render("x")
	time := s.Time.Render("x")
	fg := regexp.MustCompile(`38;2;[0-9;]+`).FindString(time)
	if fg == "" || !strings.Contains(out, fg) || !strings.Contains(out, "48;2;") {
		t.Errorf("Select(Time) = %q, want Time's colour %q on the selection background", out, fg)
	}
	if s.Select(s.Time, false).Render("x") == out {
		t.Error("blurred and focused selection look the same")
	}
}
