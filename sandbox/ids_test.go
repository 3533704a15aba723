package sandbox

import (
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// ids returns the id and umid of each downloaded message.
func ids(t *testing.T, msgs []map[string]any) (id, umid []int64) {
	t.Helper()
	for _, m := range msgs {
		i, err1 := m["id"].(json.Number).Int64()
		u, err2 := m["umid"].(json.Number).Int64()
		if err1 != nil || err2 != nil || m["id_str"] != strconv.FormatInt(i, 10) {
			t.Fatalf("message ids %v", m)
		}
		id, umid = append(id, i), append(umid, u)
	}
	return id, umid
}

// TestIDsArePerDevice: each device numbers its messages itself, from
// FirstID, while the umid of one message is the same on every device.
func TestIDsArePerDevice(t *testing.T) {
	for _, first := range []int64{1, 1<<53 + 1} {
		t.Run(strconv.FormatInt(first, 10), func(t *testing.T) {
			e := newEnv(t, Options{FirstID: first})
			token := e.s.AddApp("app")
			a := e.newDevice("me@example.com", "a")
			for i := range 1500 {
				e.publish(Message{Token: token, User: a.user, Message: "old " + strconv.Itoa(i)})
			}
			b := e.newDevice("me@example.com", "b") // registered later
			e.publish(Message{Token: token, User: a.user, Message: "both"})

			aIDs, aUMIDs := ids(t, e.download(a))
			bIDs, bUMIDs := ids(t, e.download(b))
			if len(aIDs) != 1501 || aIDs[0] != first || aIDs[1500] != first+1500 {
				t.Fatalf("device a ids %d..%d (%d), want %d..%d", aIDs[0], aIDs[len(aIDs)-1], len(aIDs), first, first+1500)
			}
			if len(bIDs) != 1 || bIDs[0] != first {
				t.Fatalf("device b registered later got ids %v, want [%d]", bIDs, first)
			}
			if bUMIDs[0] != aUMIDs[1500] {
				t.Errorf("umid %d on b, %d on a: one message has one umid", bUMIDs[0], aUMIDs[1500])
			}

			// Deleting up to an id on b touches only b's queue, although a
			// holds a message with that id too.
			e.do("POST", "/1/devices/"+b.id+"/update_highest_message.json",
				url.Values{"secret": {b.secret}, "message": {strconv.FormatInt(first, 10)}}).check(t, 200)
			if got := len(e.download(b)); got != 0 {
				t.Errorf("b holds %d after deleting its only message", got)
			}
			if got := len(e.download(a)); got != 1501 {
				t.Errorf("a holds %d after b deleted, want 1501", got)
			}
			e.do("POST", "/1/devices/"+a.id+"/update_highest_message.json",
				url.Values{"secret": {a.secret}, "message": {strconv.FormatInt(first+1499, 10)}}).check(t, 200)
			e.publish(Message{Token: token, User: a.user, Message: "after"})
			aIDs, _ = ids(t, e.download(a))
			bIDs, _ = ids(t, e.download(b))
			if len(aIDs) != 2 || aIDs[1] != first+1501 || len(bIDs) != 1 || bIDs[0] != first+1 {
				t.Errorf("after both deletes: a %v, b %v; want a [%d %d], b [%d]", aIDs, bIDs, first+1500, first+1501, first+1)
			}
		})
	}
}

// TestRepeatIDsArePerDevice: each repeat of an emergency is a new message
// on each device, numbered by that device, with the receipt's one umid.
func TestRepeatIDsArePerDevice(t *testing.T) {
	e := newEnv(t, Options{RetryUnit: time.Millisecond})
	token := e.s.AddApp("alarm")
	a := e.newDevice("me@example.com", "a")
	for range 10 {
		e.publish(Message{Token: token, User: a.user, Message: "old"})
	}
	b := e.newDevice("me@example.com", "b")
	pub := e.publish(Message{Token: token, User: a.user, Message: "fire", Priority: 2, Retry: 30, Expire: 10800})
	if err := e.s.Wait(ctxT(t), func() bool { return len(copiesOf(e.s, b.id, pub.Receipt)) >= 3 }); err != nil {
		t.Fatal(err)
	}
	e.do("POST", "/1/receipts/"+pub.Receipt+"/acknowledge.json", url.Values{"secret": {a.secret}}).check(t, 200)
	for dev, first := range map[string]int64{a.id: 11, b.id: 1} {
		copies := copiesOf(e.s, dev, pub.Receipt)
		for i, m := range copies {
			if m.ID != first+int64(i) || m.UMID != copies[0].UMID {
				t.Errorf("device %s copy %d: id %d umid %d, want id %d umid %d", dev, i, m.ID, m.UMID, first+int64(i), copies[0].UMID)
			}
		}
	}
	if ca, cb := copiesOf(e.s, a.id, pub.Receipt), copiesOf(e.s, b.id, pub.Receipt); ca[0].UMID != cb[0].UMID {
		t.Errorf("umid %d on a, %d on b", ca[0].UMID, cb[0].UMID)
	}
}

// TestBacklogIDsArePerDevice: a device registered after a seed numbers
// the seeded messages from FirstID, whatever the earlier device holds.
func TestBacklogIDsArePerDevice(t *testing.T) {
	e := newEnv(t, Options{})
	demo := e.s.AddDemo()
	early := e.newDeviceFor(demo, "early")
	for range 100 {
		e.publish(Message{Token: demo.Token, User: demo.User, Message: "before the seed"})
	}
	if err := e.s.Seed(demo.User, demo.Token, 5, rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	late := e.newDeviceFor(demo, "late")
	lateIDs, lateUMIDs := ids(t, e.download(late))
	earlyIDs, earlyUMIDs := ids(t, e.download(early))
	for i := range 5 {
		if lateIDs[i] != int64(i+1) || earlyIDs[100+i] != int64(101+i) || lateUMIDs[i] != earlyUMIDs[100+i] {
			t.Errorf("seeded message %d: late id %d, early id %d, umids %d %d", i, lateIDs[i], earlyIDs[100+i], lateUMIDs[i], earlyUMIDs[100+i])
		}
	}
}

// TestStateMigratesV1 loads a file written by the sandbox of one global
// id counter (testdata/state-v1.json: devices alpha and beta, three
// messages and one emergency to both, alpha deleted up to 3): the queues
// keep their ids and each device continues above every id issued.
func TestStateMigratesV1(t *testing.T) {
	data, err := os.ReadFile("testdata/state-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, Options{StatePath: path})
	demo := e.s.AddDemo()
	byName := map[string]Device{}
	for _, d := range e.s.Devices(demo.User) {
		byName[d.Name] = d
	}
	queued := func(name string) (out []int64) {
		d, _ := e.s.Device(byName[name].ID)
		for _, m := range d.Queue {
			out = append(out, m.ID)
		}
		return out
	}
	if got := queued("alpha"); len(got) != 2 || got[0] != 5 || got[1] != 7 {
		t.Errorf("alpha holds %v, want [5 7]", got)
	}
	if got := queued("beta"); len(got) != 4 || got[0] != 2 || got[3] != 8 {
		t.Errorf("beta holds %v, want [2 4 6 8]", got)
	}
	e.publish(Message{Token: demo.Token, User: demo.User, Message: "after the migration"})
	for _, name := range []string{"alpha", "beta"} {
		if got := queued(name); got[len(got)-1] != 9 {
			t.Errorf("%s: new message got id %d, want 9 (above the old counter)", name, got[len(got)-1])
		}
	}
	id, _, err := e.s.AddDevice(demo.User, "gamma")
	if err != nil {
		t.Fatal(err)
	}
	e.publish(Message{Token: demo.Token, User: demo.User, Message: "to gamma too"})
	if d, _ := e.s.Device(id); len(d.Queue) != 1 || d.Queue[0].ID != 1 {
		t.Errorf("a device registered after the migration holds %+v, want id 1", d.Queue)
	}
	if err := e.s.Close(); err != nil {
		t.Fatal(err)
	}
	var saved struct {
		Version int    `json:"version"`
		NextID  *int64 `json:"next_id"`
		Devices map[string]struct {
			NextID int64 `json:"next_id"`
		} `json:"devices"`
	}
	data, _ = os.ReadFile(path)
	if err := json.Unmarshal(data, &saved); err != nil || saved.Version != stateVersion || saved.NextID != nil ||
		saved.Devices[byName["alpha"].ID].NextID != 11 || saved.Devices[id].NextID != 2 {
		t.Errorf("saved state: %v version %d next_id %v devices %+v", err, saved.Version, saved.NextID, saved.Devices)
	}
}
