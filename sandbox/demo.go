package sandbox

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
)

// The fixed demo account of `pobox demo` and `pobox sandbox`: the same
// values every run, so they can be printed and documented. Reserved
// example domain; the keys are 30 characters of [A-Za-z0-9] like real ones.
const (
	DemoEmail    = "demo@pobox.example"
	DemoPassword = "pobox-demo"
	DemoToken    = "a7pX2demoPoboxSandboxToken4Kq9"
	DemoUser     = "u9QdemoPoboxSandboxUserKey3Zr8"
	DemoAppName  = "pobox demo"
)

// AddDemo adds the demo account (without two-factor) and the demo app, or
// finds them in a loaded state, and returns their fixed credentials.
func (s *Server) AddDemo() Demo {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.dirty()
	user := s.addAccountLocked(Account{Email: DemoEmail, Password: DemoPassword}, DemoUser)
	if s.st.Apps[DemoToken] == nil {
		s.addAppLocked(DemoAppName, DemoToken)
	}
	return Demo{Email: DemoEmail, Password: DemoPassword, Token: DemoToken, User: user}
}

// Seed publishes n varied sample messages to user: several apps (token's
// app and others created by name), every priority, HTML, URLs, long and
// unicode bodies, hostile text, and exactly one unacknowledged emergency,
// dated over the past hours in ascending order.
//
// Sandbox-only convenience: seeded messages also reach devices registered
// after the seed (Pushover delivers only to the devices that exist when a
// message is sent), so that `pobox sandbox --seed` and `pobox demo` show a
// full inbox on the first login. Publish never does this.
func (s *Server) Seed(user, token string, n int, r *rand.Rand) error {
	if n <= 0 {
		return nil
	}
	emergency, others := splitSamples()
	picks := make([]sample, 0, n)
	perm := r.Perm(len(others))
	for i := 0; len(picks) < n-1; i++ {
		picks = append(picks, others[perm[i%len(perm)]])
	}
	picks = slices.Insert(picks, r.IntN(n), emergency)

	const step = 37 * 60 // seconds between seeded messages
	now := s.now().Unix()
	for i, sm := range picks {
		m := s.sampleMessage(sm, user, token)
		m.Timestamp = now - int64(n-i)*step + r.Int64N(step/2)
		if _, _, err := s.publish(m, &APIError{Status: http.StatusBadRequest}, true); err != nil {
			return fmt.Errorf("sandbox: seed message %d of %d: %w", i+1, n, err)
		}
	}
	return nil
}

// PublishSample publishes one random sample message, for the demo's live
// publisher; about one in ten is an emergency.
func (s *Server) PublishSample(user, token string, r *rand.Rand) (Published, error) {
	emergency, others := splitSamples()
	sm := others[r.IntN(len(others))]
	if r.IntN(10) == 0 {
		sm = emergency
	}
	return s.Publish(s.sampleMessage(sm, user, token))
}

func splitSamples() (emergency sample, others []sample) {
	for _, sm := range samples {
		if sm.priority == 2 {
			emergency = sm
		} else {
			others = append(others, sm)
		}
	}
	return emergency, others
}

// sampleMessage turns a sample into a publish request, creating its app.
func (s *Server) sampleMessage(sm sample, user, token string) Message {
	if sm.app != "" {
		s.mu.Lock()
		token = s.appNamedLocked(sm.app).Token
		s.mu.Unlock()
		s.dirty()
	}
	m := Message{
		Token: token, User: user, Title: sm.title, Message: sm.body,
		URL: sm.url, URLTitle: sm.urlTitle, Sound: sm.sound,
		Priority: sm.priority, HTML: sm.html, Monospace: sm.monospace,
	}
	if sm.priority == 2 {
		m.Retry, m.Expire, m.Tags = max(60, s.opts.MinRetry), 3600, sm.tags
	}
	return m
}

// backlogLocked keeps a seeded copy for devices the user registers later.
// The backlog is not capped: it once kept only the last 1,000, so that
// `pobox sandbox --seed 5000` followed by a login (the usual order: the
// device comes after the seed) showed 1,000 of the 5,000 messages its
// banner promised. Its size is what the caller asked Seed for, and the
// devices registered early hold as many copies anyway; for big backlogs
// QueueBulk costs nothing per message.
func (s *Server) backlogLocked(user string, c ClientMessage) {
	if acc := s.st.Accounts[user]; acc != nil {
		acc.Backlog = append(acc.Backlog, c)
	}
}

// deliverBacklogLocked queues the seeded messages on a new device; it joins
// the targets of seeded emergencies, so acknowledgement and repeats reach it.
func (s *Server) deliverBacklogLocked(acc *account, d *device) {
	for _, c := range acc.Backlog {
		if rc := s.st.Receipts[c.Receipt]; rc != nil {
			c.Acked = rc.Template.Acked
			for i := range rc.Targets {
				if rc.Targets[i].User == acc.UserKey {
					rc.Targets[i].Devices = append(rc.Targets[i].Devices, d.ID)
				}
			}
		}
		d.enqueue(c, 0)
	}
}
