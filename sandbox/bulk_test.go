package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// TestQueueBulkMillion: a million messages cost a constant amount of
// memory, and deleting up to the middle of them is a cut, not a copy.
func TestQueueBulkMillion(t *testing.T) {
	const n = 1_000_000
	e := newEnv(t, Options{FirstID: 1<<53 + 1})
	d := e.newDevice("me@example.com", "big")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := e.s.QueueBulk(d.id, n, Message{Title: "bulk", Message: "one of a million"})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("QueueBulk of %d allocated %d bytes, want a constant amount", n, alloc)
	}
	if r.FirstID != 1<<53+1 || r.LastID != r.FirstID+n-1 || r.DeviceID != d.id {
		t.Errorf("range %+v", r)
	}
	if got, _ := e.s.QueueLen(d.id); got != n {
		t.Fatalf("QueueLen %d, want %d", got, n)
	}

	upto := r.FirstID + n/2 - 1
	runtime.ReadMemStats(&before)
	e.do("POST", "/1/devices/"+d.id+"/update_highest_message.json",
		url.Values{"secret": {d.secret}, "message": {strconv.FormatInt(upto, 10)}}).check(t, 200)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("delete up to the middle allocated %d bytes", alloc)
	}
	if got, _ := e.s.QueueLen(d.id); got != n/2 {
		t.Fatalf("QueueLen %d after deleting half, want %d", got, n/2)
	}
	e.s.mu.Lock()
	q := e.s.st.Devices[d.id].Queue[0]
	e.s.mu.Unlock()
	if q.Msg.ID != upto+1 || q.Msg.IDStr != strconv.FormatInt(upto+1, 10) || q.Msg.UMID != r.FirstUMID+n/2 {
		t.Errorf("first left: id %d (%s) umid %d, want %d umid %d", q.Msg.ID, q.Msg.IDStr, q.Msg.UMID, upto+1, r.FirstUMID+n/2)
	}
}

// TestQueueBulkUser: the same messages on every device, one umid each,
// every device numbering them itself.
func TestQueueBulkUser(t *testing.T) {
	e := newEnv(t, Options{})
	token := e.s.AddApp("load")
	a := e.newDevice("me@example.com", "a")
	e.publish(Message{Token: token, User: a.user, Message: "earlier"})
	b := e.newDevice("me@example.com", "b")
	c := e.online(b)
	rs, err := e.s.QueueBulkUser(a.user, 1000, Message{Token: token, Message: "bulk", Priority: 1, URL: "https://example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].DeviceID != a.id || rs[0].FirstID != 2 || rs[1].FirstID != 1 || rs[1].LastID != 1000 ||
		rs[0].FirstUMID != rs[1].FirstUMID {
		t.Fatalf("ranges %+v", rs)
	}
	if f := nextFrame(t, c, '!'); f != '!' {
		t.Errorf("frame %q, want '!'", f)
	}
	aMsgs, bMsgs := e.download(a)[1:], e.download(b)
	aIDs, aUMIDs := ids(t, aMsgs)
	bIDs, bUMIDs := ids(t, bMsgs)
	for i := range 1000 {
		if aIDs[i] != int64(i+2) || bIDs[i] != int64(i+1) || aUMIDs[i] != bUMIDs[i] || aUMIDs[i] != rs[0].FirstUMID+int64(i) {
			t.Fatalf("message %d: ids %d/%d umids %d/%d", i, aIDs[i], bIDs[i], aUMIDs[i], bUMIDs[i])
		}
		if m := bMsgs[i]; m["app"] != "load" || m["priority"] != json.Number("1") || m["url"] != "https://example.com/" {
			t.Fatalf("message %d: %v", i, m)
		}
	}
}

func TestQueueBulkErrors(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "a")
	for name, call := range map[string]func() error{
		"ErrDevice":    func() error { _, err := e.s.QueueBulk("nope", 1, Message{}); return err },
		"ErrUser":      func() error { _, err := e.s.QueueBulkUser("nope", 1, Message{}); return err },
		"ErrCount":     func() error { _, err := e.s.QueueBulk(d.id, 0, Message{}); return err },
		"ErrEmergency": func() error { _, err := e.s.QueueBulk(d.id, 1, Message{Priority: 2}); return err },
		"ErrToken":     func() error { _, err := e.s.QueueBulk(d.id, 1, Message{Token: "nope"}); return err },
		"ErrInvalid":   func() error { _, err := e.s.QueueBulk(d.id, 1, Message{Sound: "nope"}); return err },
	} {
		t.Run(name, func(t *testing.T) {
			if err := call(); err == nil {
				t.Error("accepted")
			}
		})
	}
	if n, _ := e.s.QueueLen(d.id); n != 0 {
		t.Errorf("%d messages queued by failed calls", n)
	}
}

// TestQueueBulkTTL: a bulk run with a ttl leaves the queue as a whole.
func TestQueueBulkTTL(t *testing.T) {
	var now atomic.Int64
	now.Store(1_700_000_000)
	e := newEnv(t, Options{Now: func() time.Time { return time.Unix(now.Load(), 0) }})
	d := e.newDevice("me@example.com", "a")
	if _, err := e.s.QueueBulk(d.id, 500, Message{TTL: 60}); err != nil {
		t.Fatal(err)
	}
	now.Add(59)
	if n, _ := e.s.QueueLen(d.id); n != 500 {
		t.Errorf("%d left before the ttl", n)
	}
	now.Add(1)
	if n, _ := e.s.QueueLen(d.id); n != 0 {
		t.Errorf("%d left after the ttl", n)
	}
}

var requestField = regexp.MustCompile(`"request":"[^"]*"`)

// TestDownloadStreamMatchesEncoder: the streamed reply is byte for byte
// what json.Encoder writes for the whole reply, for runs of one and runs
// of many, cut in the middle by a delete.
func TestDownloadStreamMatchesEncoder(t *testing.T) {
	e := newEnv(t, Options{FirstID: 1<<53 + 1})
	demo := e.s.AddDemo()
	d := e.newDeviceFor(demo, "pobox")
	if err := e.s.Seed(demo.User, demo.Token, 25, rand.New(rand.NewPCG(3, 4))); err != nil {
		t.Fatal(err)
	}
	r, err := e.s.QueueBulk(d.id, 100, Message{Title: "<b>&</b>", Message: "bulk \u2028 \"quoted\"", HTML: true})
	if err != nil {
		t.Fatal(err)
	}
	e.publish(Message{Token: demo.Token, User: demo.User, Message: "last"})
	e.s.mu.Lock()
	e.s.st.Devices[d.id].deleteUpTo(r.FirstID + 9) // the seeded ones and ten of the run
	e.s.mu.Unlock()

	resp, err := e.hc.Get(e.s.APIURL() + "/1/messages.json?" + url.Values{"secret": {d.secret}, "device_id": {d.id}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("HTTP %d %q: %v", resp.StatusCode, resp.Header.Get("Content-Type"), err)
	}
	dev, _ := e.s.Device(d.id)
	if len(dev.Queue) != 91 {
		t.Fatalf("%d queued, want 91", len(dev.Queue))
	}
	e.s.mu.Lock()
	created := e.s.st.Accounts[demo.User].CreatedAt
	e.s.mu.Unlock()
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	enc.Encode(struct {
		Messages []ClientMessage `json:"messages"`
		User     downloadUser    `json:"user"`
		Device   downloadDevice  `json:"device"`
		Status   int             `json:"status"`
		Request  string          `json:"request"`
	}{dev.Queue, downloadUser{IsDesktopLicensed: true, Email: demo.Email, CreatedAt: created,
		FirstEmailAlias: demo.User + "@pomail.net", ShowTeamAd: "1"},
		downloadDevice{Name: "pobox", DefaultSound: "po", DefaultHighPrioritySound: "po"}, 1, ""})
	if g := requestField.ReplaceAll(got, []byte(`"request":""`)); !bytes.Equal(g, want.Bytes()) {
		t.Errorf("streamed reply differs from the encoder's\n got %.300s\nwant %.300s", g, want.Bytes())
	}
	if !requestID.Match(bytes.TrimSuffix(bytes.TrimPrefix(requestField.Find(got), []byte(`"request":"`)), []byte(`"`))) {
		t.Errorf("request id in %s", requestField.Find(got))
	}
}

// TestSeedBacklogUncapped: a device registered after a seed of more than
// the old cap of 1,000 receives every seeded message.
func TestSeedBacklogUncapped(t *testing.T) {
	e := newEnv(t, Options{})
	demo := e.s.AddDemo()
	if err := e.s.Seed(demo.User, demo.Token, 1500, rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	late := e.newDeviceFor(demo, "late")
	if n, _ := e.s.QueueLen(late.id); n != 1500 {
		t.Errorf("late device holds %d of 1500 seeded messages", n)
	}
}

// TestDownloadStreams: downloading 200,000 messages (an 85 MB reply)
// allocates a small, constant amount: no slice of messages, no buffer of
// the whole reply.
func TestDownloadStreams(t *testing.T) {
	e := newEnv(t, Options{})
	d := e.newDevice("me@example.com", "big")
	if _, err := e.s.QueueBulk(d.id, 200_000, Message{Title: "Backup finished", Message: "Database backup took 16 minutes."}); err != nil {
		t.Fatal(err)
	}
	u := e.s.APIURL() + "/1/messages.json?" + url.Values{"secret": {d.secret}, "device_id": {d.id}}.Encode()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	resp, err := e.hc.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	size, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	runtime.ReadMemStats(&after)
	if err != nil || size < 200_000*200 {
		t.Fatalf("read %d bytes: %v", size, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("a download of %d bytes allocated %d bytes", size, alloc)
	}
}

// TestQueueEndpoint: the sandbox's own POST /sandbox/queue.json queues a
// backlog from the command line (curl), with the publisher's token.
func TestQueueEndpoint(t *testing.T) {
	e := newEnv(t, Options{})
	token := e.s.AddApp("load")
	d := e.newDevice("me@example.com", "a")
	e.do("POST", "/sandbox/queue.json", url.Values{"token": {token}, "user": {d.user}, "count": {"1500"}, "title": {"bulk"}}).check(t, 200, "devices", "queued")
	if got, _ := e.s.QueueLen(d.id); got != 1500 {
		t.Fatalf("QueueLen %d, want 1500", got)
	}
	for name, v := range map[string]url.Values{
		"ErrToken": {"token": {"nope"}, "user": {d.user}, "count": {"1"}},
		"ErrUser":  {"token": {token}, "user": {"nope"}, "count": {"1"}},
		"ErrCount": {"token": {token}, "user": {d.user}, "count": {"many"}},
	} {
		keys := []string{"errors"}
		if name == "ErrToken" {
			keys = append(keys, "token") // {"token":"invalid"}, as Pushover's own calls answer
		}
		t.Run(name, func(t *testing.T) { e.do("POST", "/sandbox/queue.json", v).check(t, 400, keys...) })
	}
}
