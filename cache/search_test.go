package cache

import (
	"context"
	"testing"
)

func TestMatchExpr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{`"*-()`, ""},
		{"backup", `"backup*"`},
		{"Disk  FULL", `"Disk*" "FULL*"`},
		{`"unbalanced`, `"unbalanced*"`},
		{`title:foo`, `"title*" "foo*"`},
		{`a AND b OR NOT c NEAR/3 d`, `"a" "AND*" "b" "OR*" "NOT*" "c" "NEAR*" "3" "d"`},
		{`-rf`, `"rf*"`},
		{`x*y`, `"x" "y"`},
		{`xx*yy`, `"xx*" "yy*"`},
		{"é", `"é"`},
		{"café Zürich", `"café*" "Zürich*"`},
		{"e\u0301cole", "\"e\u0301cole*\""}, // combining accent stays in the word
		{"日本語", `"日本語*"`},
	}
	for _, tc := range tests {
		if got := matchExpr(tc.in); got != tc.want {
			t.Errorf("matchExpr(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := matchExpr("a b c d e f g h i j k l m n o p q r s t"); got != matchExpr("a b c d e f g h i j k l m n o p") || got == "" {
		t.Errorf("more than %d words were kept: %q", maxSearchWords, got)
	}
}

func TestSearch(t *testing.T) {
	db := openTest(t)
	m := func(id int64, title, body string) Message {
		return Message{ID: id, Title: title, Message: body, App: "Shell"}
	}
	mustIngest(t, db,
		m(1, "Café in Zürich", "opens at 8"),
		m(2, "BACKUPS done", `ran "rm -rf /tmp/x" AND NEAR the end`),
		m(3, "École naïve", `quote " and star * and dash - and (paren`),
		m(4, "plain", "nothing special"),
		Message{ID: 5, Title: "link", App: "Browser", URLTitle: "Grafana dashboard"},
	)
	tests := []struct {
		search string
		want   []int64
	}{
		{"cafe", []int64{1}},
		{"CAFÉ", []int64{1}},
		{"zurich", []int64{1}},
		{"ZÜR", []int64{1}},
		{"ecole NAIVE", []int64{3}},
		{"backup", []int64{2}},
		{"back", []int64{2}},
		{"rm -rf", []int64{2}},
		{`"rm`, []int64{2}},
		{`tmp/x"`, []int64{2}},
		{"AND", []int64{3, 2}},
		{"NEAR", []int64{2}},
		{"NEAR end", []int64{2}},
		{"NEAR/2 end", nil}, // "2" is a word too, and no message has it
		{"OR", nil},
		{"NOT plain", []int64{4}}, // "not" as a word prefix: "nothing"
		{`(paren`, []int64{3}},
		{"*", []int64{5, 4, 3, 2, 1}}, // no word: no search filter
		{`"`, []int64{5, 4, 3, 2, 1}},
		{"shell", []int64{4, 3, 2, 1}}, // app is searched
		{"dashb", []int64{5}},          // url_title is searched
		{"title:plain", nil},           // no column filter syntax
		{"plain special", []int64{4}},
		{"plain missing", nil},
		{"^plain", []int64{4}},
		{"'", []int64{5, 4, 3, 2, 1}},
		{`\`, []int64{5, 4, 3, 2, 1}},
		{"%", []int64{5, 4, 3, 2, 1}},
	}
	for _, tc := range tests {
		expectSearch(t, db, tc.search, tc.want...)
	}
}

// TestSearchIndexUntouchedByLocalState: read/unread toggles and
// acknowledgements must not re-index a message (each re-index adds an index
// segment), while a changed title must.
func TestSearchIndexUntouchedByLocalState(t *testing.T) {
	ctx := context.Background()
	db := openTest(t)
	mustIngest(t, db, emergency(1, "R1", false), msg(2, "bravo"))
	segments := func() int {
		var n int
		must(t, db.read.QueryRow("SELECT count(*) FROM messages_fts_segdir").Scan(&n))
		return n
	}
	before := segments()
	must(t, db.SetRead(ctx, keyOf(t, db, 2), true))
	must(t, db.SetRead(ctx, keyOf(t, db, 2), false))
	if _, err := db.EnqueueAck(ctx, testDev, "R1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AcknowledgeReceipt(ctx, "R1"); err != nil {
		t.Fatal(err)
	}
	mustIngest(t, db, msg(2, "bravo")) // unchanged re-download
	if got := segments(); got != before {
		t.Fatalf("index segments %d -> %d: local state re-indexed messages", before, got)
	}
	mustIngest(t, db, msg(2, "renamed"))
	if got := segments(); got == before {
		t.Fatalf("a new title did not reach the index")
	}
}
