package themes

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/charmbracelet/lipgloss"
)

// ErrNotFound is returned (wrapped) by Load for a name that is neither a
// built-in theme nor a theme file.
var ErrNotFound = errors.New("themes: no such theme")

// Dir returns the directory of theme files under pobox's configuration
// directory (for example ~/.config/pobox/themes).
func Dir(configDir string) string {
	return filepath.Join(configDir, "themes")
}

// Load returns the theme called name: a built-in ("default",
// "high-contrast", "mono"), else the file <configDir>/themes/<name>.toml,
// where configDir is pobox's configuration directory (for example
// $XDG_CONFIG_HOME/pobox). A name holding a path separator or ending in
// ".toml" is read as a path. An empty name means "default". An unknown name
// fails with ErrNotFound and lists the themes there are.
func Load(name, configDir string) (Theme, error) {
	if name == "" {
		name = DefaultName
	}
	if t, ok := Builtin(name); ok {
		return t, nil
	}
	path := name
	if !strings.ContainsRune(name, '/') && !strings.ContainsRune(name, filepath.Separator) &&
		!strings.HasSuffix(name, ".toml") {
		path = filepath.Join(Dir(configDir), name+".toml")
	}
	t, err := LoadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Theme{}, fmt.Errorf("%w %q (no %s); available: %s",
			ErrNotFound, name, path, strings.Join(Available(configDir), ", "))
	}
	return t, err
}

// Available lists the built-in theme names followed by the names of the
// theme files in Dir(configDir), sorted. Unreadable directories are
// skipped: the list is for messages and pickers.
func Available(configDir string) []string {
	names := BuiltinNames()
	entries, _ := os.ReadDir(Dir(configDir)) // a missing directory means no files
	var files []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".toml"); ok && !e.IsDir() && !IsBuiltin(n) {
			files = append(files, n)
		}
	}
	slices.Sort(files)
	return append(names, files...)
}

// LoadFile reads a theme file. The format is TOML:
//
//	# ~/.config/pobox/themes/dusk.toml
//	base = "default"   # built-in to start from; "default" when left out
//	mono = false       # true: no colour, attributes only
//
//	[colors]
//	text   = "#c0caf5"                                # both backgrounds
//	muted  = { light = "#6b7089", dark = "#565f89" }  # per background
//	accent = 141                                      # ANSI colour 0-255
//	border = ""                                       # terminal default
//
// Colours are "#rgb", "#rrggbb", an ANSI number 0-255 (integer or string)
// or "" for the terminal's own colour. The colour keys are text, muted,
// accent, selection_fg, selection_bg, unread, priority_high, emergency,
// priority_low, priority_lowest, ok, warning, error, border, banner_fg,
// banner_bg and link; keys left out keep the base theme's colour. Unknown
// keys and bad colours are errors that name the key.
func LoadFile(path string) (Theme, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Theme{}, fmt.Errorf("themes: read theme file: %w", err)
	}
	name := strings.TrimSuffix(filepath.Base(path), ".toml")
	t, err := Parse(name, data)
	if err != nil {
		return Theme{}, fmt.Errorf("themes: %s: %w", path, err)
	}
	return t, nil
}

// Parse reads a theme file's contents (see LoadFile) as the theme name.
func Parse(name string, data []byte) (Theme, error) {
	var doc map[string]any
	if err := toml.Unmarshal(data, &doc); err != nil {
		return Theme{}, fmt.Errorf("not valid TOML, fix the file: %w", err)
	}
	base := DefaultName
	if v, ok := doc["base"]; ok {
		s, isString := v.(string)
		if _, builtin := Builtin(s); !isString || !builtin {
			return Theme{}, fmt.Errorf("base = %s: want one of %s", show(v), strings.Join(BuiltinNames(), ", "))
		}
		base = s
	}
	t, _ := Builtin(base)
	t.Name = name
	for _, key := range sortedKeys(doc) { // the first bad key, deterministically
		v := doc[key]
		switch key {
		case "base":
		case "mono":
			b, ok := v.(bool)
			if !ok {
				return Theme{}, fmt.Errorf("mono = %s: want true or false", show(v))
			}
			t.Mono = b
		case "colors":
			colours, ok := v.(map[string]any)
			if !ok {
				return Theme{}, fmt.Errorf("colors must be a table ([colors]), not %s", show(v))
			}
			if err := parseColours(&t, colours); err != nil {
				return Theme{}, err
			}
		default:
			return Theme{}, fmt.Errorf("unknown key %q (known: base, mono, colors)", key)
		}
	}
	return t, nil
}

func parseColours(t *Theme, colours map[string]any) error {
	for _, k := range sortedKeys(colours) {
		i := slices.IndexFunc(colourFields, func(f colourField) bool { return f.key == k })
		if i < 0 {
			known := make([]string, len(colourFields))
			for j, f := range colourFields {
				known[j] = f.key
			}
			return fmt.Errorf("unknown key \"colors.%s\" (known: %s)", k, strings.Join(known, ", "))
		}
		c, err := parseAdaptive("colors."+k, colours[k])
		if err != nil {
			return err
		}
		*colourFields[i].get(t) = c
	}
	return nil
}

// parseAdaptive reads one colour: a single value for both backgrounds or a
// table with light and dark.
func parseAdaptive(key string, v any) (lipgloss.AdaptiveColor, error) {
	tbl, ok := v.(map[string]any)
	if !ok {
		c, err := parseColour(key, v)
		return lipgloss.AdaptiveColor{Light: c, Dark: c}, err
	}
	var out lipgloss.AdaptiveColor
	for _, k := range sortedKeys(tbl) {
		if k != "light" && k != "dark" {
			return out, fmt.Errorf("unknown key %q (known: light, dark)", key+"."+k)
		}
		c, err := parseColour(key+"."+k, tbl[k])
		if err != nil {
			return out, err
		}
		if k == "light" {
			out.Light = c
		} else {
			out.Dark = c
		}
	}
	for _, side := range []string{"light", "dark"} {
		if _, ok := tbl[side]; !ok {
			return out, fmt.Errorf("%s: missing %s (give both light and dark, or one value for both)", key, side)
		}
	}
	return out, nil
}

// parseColour validates a colour and returns it as lipgloss spells it:
// "#rrggbb" (lower case), "0"-"255" or "".
func parseColour(key string, v any) (string, error) {
	bad := fmt.Errorf("%s = %s is not a colour: use \"#rgb\", \"#rrggbb\", an ANSI number 0-255 or \"\"", key, show(v))
	switch v := v.(type) {
	case int64:
		if v < 0 || v > 255 {
			return "", bad
		}
		return strconv.FormatInt(v, 10), nil
	case string:
		s := strings.ToLower(strings.TrimSpace(v))
		if s == "" {
			return "", nil
		}
		if hex, ok := strings.CutPrefix(s, "#"); ok {
			if !isHex(hex) {
				return "", bad
			}
			switch len(hex) {
			case 6:
				return s, nil
			case 3:
				return string([]byte{'#', hex[0], hex[0], hex[1], hex[1], hex[2], hex[2]}), nil
			}
			return "", bad
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 255 || s != strconv.Itoa(n) {
			return "", bad
		}
		return s, nil
	}
	return "", bad
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// show formats a TOML value for an error message.
func show(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	if _, ok := v.(map[string]any); ok {
		return "a table"
	}
	return fmt.Sprint(v)
}
