package sandbox

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

func TestStateSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e1 := newEnv(t, Options{StatePath: path, FirstID: 1<<53 + 1})
	demo := e1.s.AddDemo()
	_, secret := e1.login(demo.Email, demo.Password)
	devID := e1.register(secret, "pobox")
	d := testDevice{user: demo.User, secret: secret, id: devID}
	e1.publish(Message{Token: demo.Token, User: demo.User, Message: "kept"})
	pub := e1.publish(Message{Token: demo.Token, User: demo.User, Message: "alarm", Priority: 2, Retry: 60, Expire: 600})
	before := e1.download(d)
	if err := e1.s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v, want mode 0600", fi, err)
	}

	e2 := newEnv(t, Options{StatePath: path})
	if !e2.s.Loaded() {
		t.Fatal("state not loaded")
	}
	if again := e2.s.AddDemo(); again != demo {
		t.Errorf("demo after restart %+v, want %+v", again, demo)
	}
	after := e2.download(d) // the old secret and device id still work
	if len(after) != len(before) || after[0]["id_str"] != before[0]["id_str"] || after[1]["receipt"] != pub.Receipt {
		t.Errorf("queue before %v\nafter %v", before, after)
	}
	if rs, ok := e2.s.Receipt(pub.Receipt); !ok || rs.Acknowledged || rs.Expired {
		t.Errorf("receipt after restart %+v %v", rs, ok)
	}
	// Ids continue above the old ones.
	e2.publish(Message{Token: demo.Token, User: demo.User, Message: "new"})
	last := e2.download(d)
	if got, prev := last[len(last)-1]["id_str"].(string), after[len(after)-1]["id_str"].(string); len(got) < len(prev) || got <= prev {
		t.Errorf("new id %s not above %s", got, prev)
	}
	// The taken name stays taken.
	e2.do("POST", "/1/devices.json", url.Values{"secret": {secret}, "name": {"pobox"}, "os": {"O"}}).check(t, http.StatusBadRequest, "errors")
	e2.do("POST", "/1/receipts/"+pub.Receipt+"/acknowledge.json", url.Values{"secret": {secret}}).check(t, 200)
}

func TestBadStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := New(Options{StatePath: path}); err == nil {
		s.Close()
		t.Fatal("New accepted a corrupt state file")
	}
}

// TestBulkRunPersists: a queue of a million bulk messages is one entry of
// the state file, and loads back as a million, cut where it was cut.
func TestBulkRunPersists(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e1 := newEnv(t, Options{StatePath: path})
	d := e1.newDevice("me@example.com", "big")
	r, err := e1.s.QueueBulk(d.id, 1_000_000, Message{Message: "bulk"})
	if err != nil {
		t.Fatal(err)
	}
	e1.do("POST", "/1/devices/"+d.id+"/update_highest_message.json", url.Values{"secret": {d.secret}, "message": {"250000"}}).check(t, 200)
	if err := e1.s.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() > 16<<10 {
		t.Fatalf("state file of a million queued messages: %v, %v bytes", err, fi.Size())
	}
	e2 := newEnv(t, Options{StatePath: path})
	if n, _ := e2.s.QueueLen(d.id); n != 750_000 {
		t.Errorf("%d queued after the restart, want 750000", n)
	}
	e2.publish(Message{Token: e2.s.AddApp("x"), User: d.user, Message: "next"})
	e2.s.mu.Lock()
	q := e2.s.st.Devices[d.id].Queue
	first, last := q[0].Msg, q[len(q)-1].Msg
	e2.s.mu.Unlock()
	if first.ID != 250_001 || first.UMID != r.FirstUMID+250_000 || last.ID != r.LastID+1 {
		t.Errorf("after the restart: first id %d umid %d, last id %d", first.ID, first.UMID, last.ID)
	}
}
