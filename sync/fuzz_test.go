package sync

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzReadFrame: a payload means what its bytes mean one after another,
// however the server splits or coalesces them into frames.
func FuzzReadFrame(f *testing.F) {
	for _, s := range []string{"#", "!", "#!#", "!R", "R!", "E", "A", "!!", "x!", "#\x00!", "AE", ""} {
		f.Add([]byte(s), 1)
	}
	f.Fuzz(func(t *testing.T, p []byte, cut int) {
		whole := readFrame(p)
		stopAt := bytes.IndexAny(p, "REA")
		wantSync := bytes.IndexByte(p, '!')
		if wantSync >= 0 && stopAt >= 0 && wantSync > stopAt {
			wantSync = -1
		}
		if whole.sync != (wantSync >= 0) {
			t.Fatalf("readFrame(%q).sync = %v, want %v", p, whole.sync, wantSync >= 0)
		}
		if (whole.stop != nil) != (stopAt >= 0) {
			t.Fatalf("readFrame(%q).stop = %v, want a stop: %v", p, whole.stop, stopAt >= 0)
		}
		if stopAt >= 0 && !sameStop(whole.stop, p[stopAt]) {
			t.Fatalf("readFrame(%q).stop = %v, want the one of %q", p, whole.stop, p[stopAt])
		}
		// Split in two frames: the same effect.
		if len(p) == 0 {
			return
		}
		k := (cut%len(p) + len(p)) % len(p)
		a, b := readFrame(p[:k]), readFrame(p[k:])
		sync, stop := a.sync, a.stop
		if stop == nil {
			sync, stop = sync || b.sync, b.stop
		}
		if sync != whole.sync || (stop == nil) != (whole.stop == nil) {
			t.Fatalf("%q split at %d: sync %v stop %v, whole: sync %v stop %v", p, k, sync, stop, whole.sync, whole.stop)
		}
	})
}

func sameStop(err error, b byte) bool {
	var end *endError
	switch b {
	case 'R':
		return errors.Is(err, errReload)
	case 'E':
		return errors.As(err, &end) && end.reason == EndLoggedOut
	case 'A':
		return errors.As(err, &end) && end.reason == EndElsewhere
	}
	return false
}
