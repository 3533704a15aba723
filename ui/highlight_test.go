package ui

import (
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"pobox/cache"
	"pobox/sanitize"
	"pobox/themes"
)

func TestMatcher(t *testing.T) {
	tests := []struct {
		search, text string
		want         []string // the matched pieces
	}{
		{"backu", "Backups done, backup ok", []string{"Backu", "backu"}},
		{"cafe", "Un café crème", []string{"café"}},
		{"CRÈME", "Un café creme", []string{"creme"}},
		{"db down", "db-1 is DOWN", []string{"db", "DOWN"}},
		{"e", "e mail, email", []string{"e"}},                 // one letter: whole words only
		{"über", "Ueber über UBER", []string{"über", "UBER"}}, // diacritics fold, no transliteration
		{`"quoted* -AND NEAR(`, "quoted and near", []string{"quoted", "and", "near"}},
		{"東京", "明日東京へ", nil}, // one CJK run is one word: no prefix inside it
		{"東京", "東京タワー", []string{"東京"}},
		{"", "anything", nil},
		{"*** ---", "anything", nil},
	}
	for _, tt := range tests {
		t.Run(tt.search, func(t *testing.T) {
			var got []string
			for _, sp := range newMatcher(tt.search).spans(tt.text) {
				got = append(got, tt.text[sp.start:sp.end])
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Fatalf("matches %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRowsMarkSearchMatches(t *testing.T) {
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.ANSI)
	th := themes.NewStyles(themes.Default(), r)
	rows := newRowRenderer(newStyles(&th), sanitize.Grapheme)
	m := &cache.Message{ID: 1, Title: "Backups", App: "Cron", Message: "nightly backup finished", Read: true}

	plain := rows.row(m, 80, selNone)
	rows.setSearch("backup")
	marked := rows.row(m, 80, selNone)
	if plain == marked {
		t.Fatal("the search left the row as it was")
	}
	// lipgloss underlines rune by rune: every letter of the match carries
	// bold (1) and underline (4), and the letter after it does not.
	underlined := regexp.MustCompile(`\x1b\[1;4;[0-9;]*m(.)\x1b\[0m`)
	var got string
	for _, m := range underlined.FindAllStringSubmatch(marked, -1) {
		got += m[1]
	}
	if got != "Backupbackup" {
		t.Fatalf("underlined %q in %q, want the two matches", got, marked)
	}
	if lipgloss.Width(marked) != 80 {
		t.Fatalf("marked row is %d cells wide", lipgloss.Width(marked))
	}
	rows.setSearch("")
	if again := rows.row(m, 80, selNone); again != plain {
		t.Fatal("clearing the search does not restore the row")
	}
}
