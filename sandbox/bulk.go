package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Big backlogs for tests: a million queued messages in one call, in
// constant time and memory (one run of the queue, see queue.go).

// maxBulk bounds one QueueBulk call; it keeps ids far from overflowing.
const maxBulk = 1 << 30

// BulkRange is where QueueBulk put the messages on one device: ids
// FirstID..LastID, every one of them, with umids FirstUMID.. in order.
type BulkRange struct {
	DeviceID        string
	FirstID, LastID int64
	FirstUMID       int64
}

// QueueBulk queues n messages for one device at once, each with its own id
// (the device's next n ids) and umid, otherwise copies of m: m.Token picks
// the app ("" = an app named "bulk"), m.Message defaults to "Bulk
// message", and the other fields are those of Publish (priority 2 is
// refused: every emergency needs its own receipt). The device gets one
// '!'. The cost is the same for any n; the messages are spelled out only
// as they are downloaded, so use QueueLen rather than Device to watch a
// big queue. Bulk messages count against no allowance and do not reach
// devices registered later.
func (s *Server) QueueBulk(deviceID string, n int, m Message) (BulkRange, error) {
	s.mu.Lock()
	d := s.st.Devices[deviceID]
	s.mu.Unlock()
	if d == nil {
		return BulkRange{}, fmt.Errorf("sandbox: queue bulk: unknown device id %q", deviceID)
	}
	rs, err := s.queueBulk(d.UserKey, deviceID, n, m)
	if err != nil {
		return BulkRange{}, err
	}
	return rs[0], nil
}

// QueueBulkUser queues the same n messages on every device of the account
// (as QueueBulk does for one): a message has one umid on all of them and
// each device its own ids. It returns one range per device, in
// registration order.
func (s *Server) QueueBulkUser(userKey string, n int, m Message) ([]BulkRange, error) {
	return s.queueBulk(userKey, "", n, m)
}

func (s *Server) queueBulk(userKey, deviceID string, n int, m Message) ([]BulkRange, error) {
	if n < 1 || n > maxBulk {
		return nil, fmt.Errorf("sandbox: queue bulk: n is %d; give 1 to %d messages", n, maxBulk)
	}
	if m.Priority == 2 {
		return nil, errors.New("sandbox: queue bulk: emergencies (priority 2) each need a receipt; publish them with Publish")
	}
	if m.Message == "" {
		m.Message = "Bulk message"
	}
	m.Device, m.User = "", userKey // they are the caller's choice of devices
	e := &APIError{Status: http.StatusBadRequest}
	s.validate(m, e)
	if len(e.Errors) > 0 {
		return nil, fmt.Errorf("sandbox: queue bulk: %s", strings.Join(e.Errors, "; "))
	}

	s.mu.Lock()
	acc := s.st.Accounts[userKey]
	if acc == nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("sandbox: queue bulk: unknown user key %q", userKey)
	}
	ap := s.st.Apps[m.Token]
	switch {
	case m.Token == "":
		ap = s.appNamedLocked("bulk")
	case ap == nil:
		s.mu.Unlock()
		return nil, fmt.Errorf("sandbox: queue bulk: unknown app token %q", m.Token)
	}
	c := s.template(ap, m)
	var expiresAt int64
	if m.TTL > 0 {
		expiresAt = c.QueuedDate + int64(m.TTL)
	}
	c.UMID = s.st.newUMIDs(int64(n))
	c.UMIDStr = strconv.FormatInt(c.UMID, 10)
	var out []BulkRange
	var notify []string
	for _, id := range acc.Devices {
		d := s.st.Devices[id]
		if d == nil || (deviceID != "" && id != deviceID) {
			continue
		}
		first := d.enqueueRun(c, int64(n), expiresAt)
		out = append(out, BulkRange{DeviceID: id, FirstID: first, LastID: first + int64(n) - 1, FirstUMID: c.UMID})
		notify = append(notify, id)
	}
	s.mu.Unlock()
	s.dirty()
	s.ws.notify(notify)
	return out, nil
}

// handleQueueBulk serves POST /sandbox/queue.json, an extension of the
// sandbox (Pushover has no such call): count messages queued at once on
// every device of user, as QueueBulkUser does, so that a backlog of a
// million messages can be tried from the command line. It takes the
// publisher's token and user plus count, and optionally title and message.
func (s *Server) handleQueueBulk(w http.ResponseWriter, r *http.Request, _ []string) {
	p, err := s.readParams(r)
	if err != nil {
		s.failParse(w, err)
		return
	}
	n, err := strconv.Atoi(strings.TrimSpace(p.Get("count")))
	if err != nil {
		s.fail(w, http.StatusBadRequest, "count must be a number of messages")
		return
	}
	if !s.knownApp(p.Get("token")) {
		s.failAPI(w, errToken())
		return
	}
	rs, err := s.QueueBulkUser(p.Get("user"), n, Message{Token: p.Get("token"), Title: p.Get("title"), Message: p.Get("message")})
	if err != nil {
		s.fail(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "sandbox: queue bulk: "))
		return
	}
	s.reply(w, http.StatusOK, map[string]any{"devices": len(rs), "queued": n * len(rs)})
}
