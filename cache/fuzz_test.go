package cache

import (
	"context"
	"slices"
	"testing"
)

// FuzzSearch: whatever a person types into search is never an FTS syntax
// error, and a word taken from a stored title always finds that message.
func FuzzSearch(f *testing.F) {
	for _, s := range []string{"", "backup", `"quoted`, "-rf", "AND OR NOT", "NEAR/3", "café*", "(", "^x", "a:b", "\x00", "ünïcode", "日本語", "e\u0301"} {
		f.Add(s)
	}
	db := openTest(f)
	mustIngest(f, db, msg(1, "Backup finished"), msg(2, "Disk almost full"), msg(3, "café au lait"))
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, text string) {
		for _, flt := range []Filter{{Search: text}, {Search: text, Unread: true}, {Search: text, App: "Backups"}} {
			got, err := db.Older(ctx, flt, 0, 10)
			if err != nil {
				t.Fatalf("search %q: %v", text, err)
			}
			if _, err := db.CountNewer(ctx, flt, 0); err != nil {
				t.Fatalf("count %q: %v", text, err)
			}
			// The words of a title, typed with the fuzzed text before
			// them, still find it when the text holds no word itself.
			if matchExpr(text) == "" && flt.App == "" && !flt.Unread && len(got) != 3 {
				t.Fatalf("search %q without any word filtered: %d rows", text, len(got))
			}
		}
		withWord, err := db.Older(ctx, Filter{Search: "disk " + text}, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if matchExpr(text) == "" && !slices.ContainsFunc(withWord, func(m Message) bool { return m.ID == 2 }) {
			t.Fatalf("search %q: the word disk no longer finds its message", "disk "+text)
		}
	})
}
