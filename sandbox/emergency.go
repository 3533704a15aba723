package sandbox

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Delivery, emergency repeats and acknowledgement.
//
// How a repeat appears to an Open Client is unconfirmed (pushover-api.md
// 3.5). The sandbox's choice: every `retry` seconds each device the
// emergency reached gets a NEW copy, with a new `id` (so it is downloaded
// and the delete watermark keeps working) and the SAME `receipt` and `umid`
// (so clients can dedupe by receipt), followed by '!'. Older copies stay in
// the queue until the client deletes them. This is the harder case for a
// client, which is what a test server should offer.

// deliverLocked enqueues a copy of m on every target device and returns the
// device ids to notify. For priority 2 it creates the receipt.
func (s *Server) deliverLocked(ap *app, m Message, users []string, devs [][]*device, pub *Published, backlog bool) []string {
	tmpl := s.template(ap, m)
	now := tmpl.QueuedDate
	var expiresAt int64
	if m.TTL > 0 && m.Priority != 2 { // ttl is ignored for emergencies
		expiresAt = now + int64(m.TTL)
	}
	var rc *receipt
	if m.Priority == 2 {
		id := randomKey(30)
		for s.st.Receipts[id] != nil {
			id = randomKey(30)
		}
		mono := time.Now()
		rc = &receipt{
			ID: id, Token: ap.Token, Retry: m.Retry, Expire: m.Expire,
			Callback: m.Callback, Tags: splitTags(m.Tags),
			ExpiresAt: now + int64(m.Expire), LastDeliveredAt: now, Deliveries: 1,
			next:     mono.Add(time.Duration(m.Retry) * s.opts.RetryUnit),
			deadline: mono.Add(time.Duration(m.Expire) * s.opts.RetryUnit),
		}
		tmpl.Receipt = id
		rc.Template = tmpl
		s.st.Receipts[id] = rc
		pub.Receipt = id
	}
	var notify []string
	for i, u := range users {
		c := tmpl
		c.UMID = s.st.newUMID()
		c.UMIDStr = strconv.FormatInt(c.UMID, 10)
		t := target{User: u, UMID: c.UMID}
		for _, d := range devs[i] {
			d.enqueue(c, expiresAt)
			t.Devices = append(t.Devices, d.ID)
			notify = append(notify, d.ID)
		}
		if rc != nil {
			rc.Targets = append(rc.Targets, t)
		}
		if backlog {
			s.backlogLocked(u, c)
		}
	}
	return notify
}

// template is the message a publish of m by ap delivers, without ids.
func (s *Server) template(ap *app, m Message) ClientMessage {
	now := s.now().Unix()
	date := now
	if m.Timestamp > 0 {
		date = m.Timestamp
	}
	return ClientMessage{
		Title: m.Title, Message: m.Message, App: ap.Name,
		AID: ap.AID, AIDStr: strconv.FormatInt(ap.AID, 10), Icon: ap.Icon,
		Date: date, QueuedDate: now, DispatchedDate: now,
		Priority: m.Priority, Sound: soundCode(m.Sound), URL: m.URL, URLTitle: m.URLTitle,
		HTML: b2i(m.HTML), Monospace: b2i(m.Monospace),
	}
}

func splitTags(list string) []string {
	var tags []string
	for _, t := range strings.Split(list, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// runRepeats is the scheduler goroutine: it delivers due repeats, marks
// expired receipts, and sleeps until the next due time or a kick.
func (s *Server) runRepeats() {
	defer s.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		notify, next, changed := s.repeatDueLocked(time.Now())
		s.mu.Unlock()
		if changed {
			s.dirty()
		}
		s.ws.notify(notify)
		wait := time.Hour
		if !next.IsZero() {
			wait = max(time.Until(next), 0)
		}
		timer.Reset(wait)
		select {
		case <-s.ctx.Done():
			return
		case <-timer.C:
		case <-s.kickRepeat:
		}
	}
}

// repeatDueLocked does the work due at mono and returns the devices to
// notify, the next time there is work (zero if none) and whether anything
// changed.
func (s *Server) repeatDueLocked(mono time.Time) (notify []string, next time.Time, changed bool) {
	unit := s.opts.RetryUnit
	earliest := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, rc := range s.st.Receipts {
		if !rc.pending() || rc.deadline.IsZero() {
			continue
		}
		if rc.expireDue(mono) {
			changed = true
			continue
		}
		if !rc.next.IsZero() && !mono.Before(rc.next) {
			changed = true
			notify = append(notify, s.repeatLocked(rc)...)
			rc.next = rc.next.Add(time.Duration(rc.Retry) * unit)
			if !rc.next.After(mono) { // fell behind (a stall): do not burst
				rc.next = mono.Add(time.Duration(rc.Retry) * unit)
			}
			if rc.Deliveries >= maxRepeats {
				rc.next = time.Time{} // no more repeats; it still expires
			}
		}
		earliest(rc.next)
		earliest(rc.deadline)
	}
	return notify, next, changed
}

// repeatLocked delivers one more copy of an emergency to every device it
// reached that still exists.
func (s *Server) repeatLocked(rc *receipt) []string {
	now := s.now().Unix()
	var notify []string
	for _, t := range rc.Targets {
		c := rc.Template
		c.UMID, c.UMIDStr = t.UMID, strconv.FormatInt(t.UMID, 10)
		c.QueuedDate, c.DispatchedDate = now, now
		for _, id := range t.Devices {
			if d := s.st.Devices[id]; d != nil {
				d.enqueue(c, 0)
				notify = append(notify, id)
			}
		}
	}
	rc.Deliveries++
	rc.LastDeliveredAt = now
	return notify
}

// expireDue marks a pending receipt expired once its deadline has passed,
// and reports whether it did. The scheduler calls it, and so do the calls
// that read or acknowledge a receipt, so that a call just after the
// deadline sees it expired even before the scheduler has woken.
func (rc *receipt) expireDue(mono time.Time) bool {
	if !rc.pending() || rc.deadline.IsZero() || mono.Before(rc.deadline) {
		return false
	}
	rc.Expired = true
	return true
}

// rescheduleLoaded restarts the schedule of the pending receipts of a
// loaded state: the next repeat one retry from now, expiry when expires_at
// is reached.
func (s *Server) rescheduleLoaded(mono time.Time) {
	now := s.now().Unix()
	for _, rc := range s.st.Receipts {
		if !rc.pending() {
			continue
		}
		rc.next = mono.Add(time.Duration(rc.Retry) * s.opts.RetryUnit)
		rc.deadline = mono.Add(time.Duration(max(rc.ExpiresAt-now, 0)) * s.opts.RetryUnit)
		if rc.Deliveries >= maxRepeats {
			rc.next = time.Time{}
		}
	}
}

// callbackJob is the POST Pushover makes to a receipt's callback URL.
type callbackJob struct {
	receipt, url string
	form         url.Values
}

// acknowledgeLocked acknowledges rc for user from the device byID (may be
// ""): the first acknowledgement wins, every copy on every device it reached
// (all group members too) gets acked=1, and repeats stop. Devices other
// than the acknowledging one that hold a copy are notified with '!' so that
// they see acked=1 (a sandbox choice; Pushover's behaviour is undocumented).
// Acknowledging again is a success that changes nothing but the copies'
// flag. Acknowledging an expired or cancelled receipt is a success that
// changes nothing at all: the receipt stays expired or cancelled and
// unacknowledged, no callback is made and the copies keep acked=0, since
// nobody acknowledged the emergency while it was sounding (Pushover's reply
// is unconfirmed, pushover-api.md 1.5; clients treat either as success).
func (s *Server) acknowledgeLocked(rc *receipt, user, byID, byName string) ([]string, *callbackJob) {
	rc.expireDue(time.Now())
	if rc.Expired || rc.Canceled {
		return nil, nil
	}
	var cb *callbackJob
	if rc.AcknowledgedAt == 0 {
		now := s.now().Unix()
		rc.AcknowledgedAt, rc.AcknowledgedBy, rc.AcknowledgedByDevice = now, user, byName
		if rc.Callback != "" {
			cb = &callbackJob{receipt: rc.ID, url: rc.Callback, form: url.Values{
				"receipt":                {rc.ID},
				"acknowledged":           {"1"},
				"acknowledged_at":        {strconv.FormatInt(now, 10)},
				"acknowledged_by":        {user},
				"acknowledged_by_device": {byName},
			}}
		}
	}
	rc.Template.Acked = 1
	var notify []string
	for _, t := range rc.Targets {
		for _, id := range t.Devices {
			d := s.st.Devices[id]
			if d == nil {
				continue
			}
			changed := false
			for i := range d.Queue {
				if m := &d.Queue[i].Msg; m.Receipt == rc.ID && m.Acked == 0 {
					m.Acked, changed = 1, true
				}
			}
			if changed && id != byID {
				notify = append(notify, id)
			}
		}
	}
	return notify, cb
}

// callBack POSTs the acknowledgement to the callback URL in a goroutine the
// server owns; called_back is set on a 2xx answer.
func (s *Server) callBack(job callbackJob) {
	if !s.track() {
		return
	}
	go func() {
		defer s.wg.Done()
		tr := &http.Transport{DisableKeepAlives: true}
		defer tr.CloseIdleConnections()
		ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, job.url, strings.NewReader(job.form.Encode()))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			s.log.note("callback for receipt %s failed: %v", job.receipt, err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			s.log.note("callback for receipt %s: HTTP %d", job.receipt, resp.StatusCode)
			return
		}
		s.mu.Lock()
		if rc := s.st.Receipts[job.receipt]; rc != nil {
			rc.CalledBackAt = s.now().Unix()
		}
		s.mu.Unlock()
		s.dirty()
	}()
}
