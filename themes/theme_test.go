package themes

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

func TestBuiltins(t *testing.T) {
	dir := t.TempDir()
	for _, name := range BuiltinNames() {
		t.Run(name, func(t *testing.T) {
			th, err := Load(name, dir)
			if err != nil {
				t.Fatalf("Load(%q): %v", name, err)
			}
			if th.Name != name {
				t.Errorf("Name = %q, want %q", th.Name, name)
			}
			for _, f := range colourFields {
				c := *f.get(&th)
				for side, v := range map[string]string{"light": c.Light, "dark": c.Dark} {
					if th.Mono {
						if v != "" {
							t.Errorf("mono theme has %s.%s = %q", f.key, side, v)
						}
						continue
					}
					if got, err := parseColour(f.key, v); err != nil || got != v || v == "" {
						t.Errorf("%s.%s = %q is not a normal colour (%v)", f.key, side, v, err)
					}
				}
			}
		})
	}
	if th, err := Load("", dir); err != nil || th.Name != DefaultName {
		t.Errorf(`Load("") = %q, %v; want the default theme`, th.Name, err)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		toml  string
		check func(t *testing.T, th Theme)
	}{
		{"OK_Empty", ``, func(t *testing.T, th Theme) {
			want := Default()
			want.Name = "test"
			if th != want {
				t.Errorf("empty file = %+v, want the default theme", th)
			}
		}},
		{"OK_SingleColour", "[colors]\ntext = \"#ABCDEF\"", func(t *testing.T, th Theme) {
			if th.Text != (lipgloss.AdaptiveColor{Light: "#abcdef", Dark: "#abcdef"}) {
				t.Errorf("Text = %+v", th.Text)
			}
			if th.Muted != Default().Muted {
				t.Errorf("Muted = %+v, want the base theme's", th.Muted)
			}
		}},
		{"OK_ShortHex", `colors.accent = "#f0a"`, func(t *testing.T, th Theme) {
			if th.Accent.Dark != "#ff00aa" {
				t.Errorf("Accent = %+v", th.Accent)
			}
		}},
		{"OK_LightDark", "[colors]\nmuted = { light = \"#111111\", dark = \"#eeeeee\" }", func(t *testing.T, th Theme) {
			if th.Muted != (lipgloss.AdaptiveColor{Light: "#111111", Dark: "#eeeeee"}) {
				t.Errorf("Muted = %+v", th.Muted)
			}
		}},
		{"OK_SubTable", "[colors.selection_bg]\nlight = 254\ndark = \"236\"", func(t *testing.T, th Theme) {
			if th.SelectionBG != (lipgloss.AdaptiveColor{Light: "254", Dark: "236"}) {
				t.Errorf("SelectionBG = %+v", th.SelectionBG)
			}
		}},
		{"OK_ANSI", `colors.error = 9`, func(t *testing.T, th Theme) {
			if th.Error.Light != "9" || th.Error.Dark != "9" {
				t.Errorf("Error = %+v", th.Error)
			}
		}},
		{"OK_None", `colors.border = ""`, func(t *testing.T, th Theme) {
			if set(th.Border) {
				t.Errorf("Border = %+v, want none", th.Border)
			}
		}},
		{"OK_BaseHighContrast", `base = "high-contrast"`, func(t *testing.T, th Theme) {
			if th.Text != HighContrast().Text || th.Name != "test" {
				t.Errorf("theme = %+v", th)
			}
		}},
		{"OK_Mono", `mono = true`, func(t *testing.T, th Theme) {
			if !th.Mono {
				t.Error("Mono = false")
			}
		}},
		{"OK_AllKeys", allKeys(), func(t *testing.T, th Theme) {
			for _, f := range colourFields {
				if f.get(&th).Dark != "#010203" {
					t.Errorf("%s not set", f.key)
				}
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			th, err := Parse("test", []byte(tc.toml))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			tc.check(t, th)
		})
	}
}

func allKeys() string {
	var b strings.Builder
	b.WriteString("[colors]\n")
	for _, f := range colourFields {
		b.WriteString(f.key + ` = "#010203"` + "\n")
	}
	return b.String()
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, toml string
		want       []string // substrings of the error
	}{
		{"ErrBadColour", `colors.text = "#12345"`, []string{`colors.text = "#12345" is not a colour`}},
		{"ErrBadHex", `colors.text = "#ggg"`, []string{`colors.text`}},
		{"ErrColourName", `colors.text = "red"`, []string{`colors.text = "red"`}},
		{"ErrANSIRange", `colors.accent = 256`, []string{"colors.accent = 256", "0-255"}},
		{"ErrANSINegative", `colors.accent = -1`, []string{"colors.accent = -1"}},
		{"ErrANSIString", `colors.accent = "0256"`, []string{`colors.accent = "0256"`}},
		{"ErrFloat", `colors.accent = 1.5`, []string{"colors.accent = 1.5"}},
		{"ErrBadDark", `colors.muted = { light = "#111", dark = "nope" }`, []string{`colors.muted.dark = "nope"`}},
		{"ErrMissingDark", `colors.muted = { light = "#111" }`, []string{"colors.muted", "missing dark"}},
		{"ErrUnknownSide", `colors.muted = { light = "#111", dark = "#222", dim = "#333" }`, []string{`unknown key "colors.muted.dim"`}},
		{"ErrUnknownColourKey", `colors.txt = "#111"`, []string{`unknown key "colors.txt"`, "known: text, muted"}},
		{"ErrUnknownTopKey", `colours = {}`, []string{`unknown key "colours"`}},
		{"ErrBase", `base = "solarized"`, []string{`base = "solarized"`, "default, high-contrast, mono"}},
		{"ErrMono", `mono = "yes"`, []string{`mono = "yes"`}},
		{"ErrColorsNotTable", `colors = "red"`, []string{"colors must be a table"}},
		{"ErrSyntax", `[colors`, []string{"not valid TOML"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("test", []byte(tc.toml))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	themeDir := Dir(dir)
	if err := os.MkdirAll(themeDir, 0o700); err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(themeDir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dusk := write("dusk.toml", "[colors]\naccent = \"#ff8800\"\n")
	write("broken.toml", "colors.accent = \"#zz\"\n")
	write("default.toml", "colors.accent = \"#000000\"\n") // built-ins win
	write("notes.txt", "")

	t.Run("OK_ByName", func(t *testing.T) {
		th, err := Load("dusk", dir)
		if err != nil || th.Name != "dusk" || th.Accent.Dark != "#ff8800" {
			t.Fatalf("Load(dusk) = %+v, %v", th, err)
		}
	})
	t.Run("OK_ByPath", func(t *testing.T) {
		th, err := Load(dusk, t.TempDir())
		if err != nil || th.Accent.Light != "#ff8800" {
			t.Fatalf("Load(path) = %+v, %v", th, err)
		}
	})
	t.Run("OK_BuiltinShadowsFile", func(t *testing.T) {
		th, err := Load("default", dir)
		if err != nil || th != Default() {
			t.Fatalf("Load(default) = %+v, %v", th, err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := Load("nope", dir)
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
		if !strings.Contains(err.Error(), "available: default, high-contrast, mono, broken, dusk") {
			t.Errorf("error %q does not list the themes", err)
		}
	})
	t.Run("ErrBadFile", func(t *testing.T) {
		_, err := Load("broken", dir)
		if err == nil || errors.Is(err, ErrNotFound) ||
			!strings.Contains(err.Error(), "broken.toml") || !strings.Contains(err.Error(), "colors.accent") {
			t.Fatalf("err = %v, want the file and key named", err)
		}
	})
	t.Run("ErrMissingPath", func(t *testing.T) {
		_, err := Load(filepath.Join(dir, "missing.toml"), dir)
		if !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
}

func TestAvailableWithoutDir(t *testing.T) {
	got := strings.Join(Available(filepath.Join(t.TempDir(), "absent")), ",")
	if got != "default,high-contrast,mono" {
		t.Errorf("Available = %s", got)
	}
}
