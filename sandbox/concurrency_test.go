package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestConcurrentDevicesAndPublishers runs 50 websocket devices (10 accounts
// of 5) that sync on every '!', and 50 publishers, all at once.
func TestConcurrentDevicesAndPublishers(t *testing.T) {
	const (
		accounts, perAccount = 10, 5
		publishers, each     = 50, 4
		want                 = publishers / accounts * each // messages per device
	)
	e := newEnv(t, Options{KeepAlive: 5 * time.Millisecond})
	e.hc.Transport.(*http.Transport).MaxIdleConnsPerHost = 100
	token := e.s.AddApp("load")
	var devs []testDevice
	users := make([]string, accounts)
	for a := range accounts {
		for i := range perAccount {
			d := e.newDevice(fmt.Sprintf("u%d@example.com", a), fmt.Sprintf("dev%d", i))
			users[a] = d.user
			devs = append(devs, d)
		}
	}
	conns := make([]*websocket.Conn, len(devs))
	for i, d := range devs {
		conns[i] = e.online(d)
	}

	errs := make(chan error, len(devs)+publishers)
	var wg sync.WaitGroup
	for i, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- e.syncUntil(conns[i], d, want)
		}()
	}
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
		if err != nil {
			t.Error(err)
		}
	}
	for _, d := range devs {
		if dev, _ := e.s.Device(d.id); len(dev.Queue) != 0 {
			t.Errorf("device %s: %d messages left", d.id, len(dev.Queue))
		}
	}
}

// syncUntil is a minimal Open Client: on '!' download, then delete up to
// the highest id, until it has seen n distinct messages.
func (e *env) syncUntil(c *websocket.Conn, d testDevice, n int) error {
	seen := map[int64]bool{}
	deadline := time.Now().Add(testTimeout)
	for len(seen) < n {
		_ = c.SetReadDeadline(deadline)
		_, p, err := c.ReadMessage()
		if err != nil {
			return fmt.Errorf("device %s after %d messages: %w", d.id, len(seen), err)
		}
		if string(p) != "!" {
			continue
		}
		resp, err := e.hc.Get(e.s.APIURL() + "/1/messages.json?" + url.Values{"secret": {d.secret}, "device_id": {d.id}}.Encode())
		if err != nil {
			return err
		}
		var body struct {
			Messages []ClientMessage `json:"messages"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || len(body.Messages) == 0 {
			continue // a '!' whose messages an earlier sync already took
		}
		top := int64(0)
		for _, m := range body.Messages {
			if !strings.HasPrefix(m.Message, "p") {
				return fmt.Errorf("unexpected message %q", m.Message)
			}
			seen[m.ID] = true
			top = max(top, m.ID)
		}
		form := url.Values{"secret": {d.secret}, "message": {strconv.FormatInt(top, 10)}}
		resp, err = e.hc.PostForm(e.s.APIURL()+"/1/devices/"+d.id+"/update_highest_message.json", form)
		if err != nil {
			return err
		}
		resp.Body.Close()
	}
	if len(seen) != n {
		return fmt.Errorf("device %s saw %d messages, want %d", d.id, len(seen), n)
	}
	return nil
}
