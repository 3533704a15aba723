package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"pobox/cache"
)

// TestCompletionLeavesOutUnsafeValues: app names and receipts come from
// senders and the server; one holding an escape sequence or a line break
// is never handed to the shell (which prints the candidates raw), the
// clean ones still are.
func TestCompletionLeavesOutUnsafeValues(t *testing.T) {
	dir := configEnv(t)
	ctx := context.Background()
	db, err := cache.Open(ctx, filepath.Join(dir, "data", "pobox", "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	dev, err := db.UseDevice(ctx, "dev1", "laptop")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().Unix()
	ms := []cache.Message{
		{ID: 1, App: "evil\x1b]0;pwned\x07", Title: "a", Date: now},
		{ID: 2, App: "two\nlines", Title: "b", Date: now},
		{ID: 3, App: "good app", Title: "c", Date: now},
		{ID: 4, App: "good app", Title: "fire", Priority: 2, Receipt: "goodReceipt0123456789012345678", Date: now},
		{ID: 5, App: "good app", Title: "bad", Priority: 2, Receipt: "bad\x1b[2Jreceipt", Date: now},
		{ID: 6, App: "good app", Title: "tab", Priority: 2, Receipt: "tab\treceipt", Date: now},
	}
	if _, err := db.Ingest(ctx, cache.Batch{Device: dev.N, Messages: ms}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"__complete", "list", "--app", ""}, "good app\t"},
		{[]string{"__complete", "ack", ""}, "goodReceipt0123456789012345678\tfire"},
	} {
		var out, errOut bytes.Buffer
		if code := run(ctx, &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}, tt.args); code != ExitOK {
			t.Fatalf("%q: exit status %d: %s", tt.args, code, errOut.String())
		}
		got := out.String()
		if !strings.Contains(got, tt.want) {
			t.Errorf("%q: %q lacks %q", tt.args, got, tt.want)
		}
		for _, bad := range []string{"\x1b", "\x07", "pwned", "two", "lines", "bad", "tab"} {
			if strings.Contains(got, bad) {
				t.Errorf("%q: %q offered to the shell: %q", tt.args, bad, got)
			}
		}
	}
}
