package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// loadTimeout bounds the load test's waits. It is a bound on a hang, not a
// schedule: every wait ends as soon as its condition holds, and a loaded
// 2-core machine under the race detector gets time to finish.
const loadTimeout = 60 * time.Second

// TestConcurrentDevicesAndPublishers runs 50 websocket devices (10 accounts
// of 5) that sync on every '!', and 50 publishers, all at once, with a
// keep-alive every 5 ms on every socket, so that '#' and '!' interleave
// (each socket has one writer; the race detector sees any other). Each
// device must end up with exactly its account's messages, its queue empty,
// and its socket still alive. Nothing waits on the clock: the test waits
// for the server's queues and each client's own count.
func TestConcurrentDevicesAndPublishers(t *testing.T) {
	const (
		accounts, perAccount = 10, 5
		publishers, each     = 50, 4
		want                 = publishers / accounts * each // messages per device
	)
	e := newEnv(t, Options{KeepAlive: 5 * time.Millisecond})
	e.hc.Transport.(*http.Transport).MaxIdleConnsPerHost = 100
	ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
	defer cancel()
	token := e.s.AddApp("load")
	users := make([]string, accounts)
	var clients []*loadClient
	for a := range accounts {
		for i := range perAccount {
			d := e.newDevice(fmt.Sprintf("u%d@example.com", a), fmt.Sprintf("dev%d", i))
			users[a] = d.user
			clients = append(clients, e.startLoadClient(d, want))
		}
	}
	defer func() {
		for _, c := range clients {
			c.stop()
		}
	}()

	errs := make(chan error, publishers)
	var wg sync.WaitGroup
	for p := range publishers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				form := url.Values{"token": {token}, "user": {users[p%accounts]}, "message": {fmt.Sprintf("p%d-%d", p, k)}}
				resp, err := e.hc.PostForm(e.s.APIURL()+"/1/messages.json", form)
				if err != nil {
					errs <- err
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Errorf("publish: HTTP %d", resp.StatusCode)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// A client counts a message before it deletes it, and every delete
	// wakes Wait: the condition is seen the moment it holds.
	done := func() bool {
		for _, c := range clients {
			if n, _ := e.s.QueueLen(c.d.id); c.seen.Load() < want || n != 0 {
				return false
			}
		}
		return true
	}
	if err := e.s.Wait(ctx, done); err != nil {
		for _, c := range clients {
			n, _ := e.s.QueueLen(c.d.id)
			t.Logf("device %s: saw %d of %d, %d queued", c.d.id, c.seen.Load(), want, n)
		}
		t.Fatalf("devices did not sync everything: %v", err)
	}
	for _, c := range clients {
		select {
		case <-c.aliveAfter: // a '#' after the last message: the socket lives on
		case <-ctx.Done():
			t.Fatalf("device %s: no keep-alive after its messages", c.d.id)
		}
	}
	for _, c := range clients {
		c.stop()
		if n := c.seen.Load(); n != want {
			t.Errorf("device %s saw %d messages, want %d", c.d.id, n, want)
		}
		for err := range c.errs {
			t.Errorf("device %s: %v", c.d.id, err)
		}
	}
}

// loadClient is a minimal Open Client: one goroutine reads the socket, and
// on '!' (coalesced, as pobox does) another downloads and deletes up to the
// highest id.
type loadClient struct {
	e    *env
	d    testDevice
	conn *websocket.Conn
	want int64

	kick       chan struct{} // a '!' arrived; closed when the reader stops
	seen       atomic.Int64  // distinct messages downloaded
	aliveAfter chan struct{} // closed at the first '#' once all were seen
	errs       chan error    // closed when the syncer stops
	wg         sync.WaitGroup
	stopOnce   sync.Once
}

func (e *env) startLoadClient(d testDevice, want int) *loadClient {
	c := &loadClient{e: e, d: d, conn: e.online(d), want: int64(want),
		kick: make(chan struct{}, 1), aliveAfter: make(chan struct{}), errs: make(chan error, 10)}
	c.wg.Add(2)
	go c.read()
	go c.sync()
	return c
}

// stop closes the socket and waits for both goroutines.
func (c *loadClient) stop() {
	c.stopOnce.Do(func() { c.conn.Close() })
	c.wg.Wait()
}

func (c *loadClient) read() {
	defer c.wg.Done()
	defer close(c.kick)
	alive := false
	for {
		_, p, err := c.conn.ReadMessage()
		if err != nil {
			return // closed by stop (or by the server at the test's end)
		}
		for _, b := range p {
			switch b {
			case '!':
				select {
				case c.kick <- struct{}{}:
				default: // a sync is already due
				}
			case '#':
				if !alive && c.seen.Load() >= c.want {
					alive = true
					close(c.aliveAfter)
				}
			}
		}
	}
}

func (c *loadClient) sync() {
	defer c.wg.Done()
	defer close(c.errs)
	seen := map[int64]bool{}
	for range c.kick {
		if err := c.syncOnce(seen); err != nil {
			c.errs <- err
			return
		}
	}
}

func (c *loadClient) syncOnce(seen map[int64]bool) error {
	hc := c.e.hc
	resp, err := hc.Get(c.e.s.APIURL() + "/1/messages.json?" + url.Values{"secret": {c.d.secret}, "device_id": {c.d.id}}.Encode())
	if err != nil {
		return err
	}
	var body struct {
		Messages []ClientMessage `json:"messages"`
	}
	err = json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if len(body.Messages) == 0 {
		return nil // a '!' whose messages an earlier sync already took
	}
	top := int64(0)
	for _, m := range body.Messages {
		if !strings.HasPrefix(m.Message, "p") {
			return fmt.Errorf("unexpected message %q", m.Message)
		}
		seen[m.ID] = true
		top = max(top, m.ID)
	}
	c.seen.Store(int64(len(seen))) // before the delete, which wakes Wait
	form := url.Values{"secret": {c.d.secret}, "message": {strconv.FormatInt(top, 10)}}
	resp, err = hc.PostForm(c.e.s.APIURL()+"/1/devices/"+c.d.id+"/update_highest_message.json", form)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("delete up to %d: HTTP %d", top, resp.StatusCode)
	}
	return nil
}
