package sandbox

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestDemoIsFixed(t *testing.T) {
	for _, k := range []string{DemoToken, DemoUser} {
		if !isKey(k) {
			t.Errorf("%q is not 30 characters of [A-Za-z0-9]", k)
		}
	}
	e := newEnv(t, Options{})
	demo := e.s.AddDemo()
	want := Demo{Email: DemoEmail, Password: DemoPassword, Token: DemoToken, User: DemoUser}
	if demo != want || e.s.AddDemo() != want {
		t.Errorf("AddDemo = %+v, want %+v", demo, want)
	}
	if user, _ := e.login(demo.Email, demo.Password); user != DemoUser {
		t.Errorf("login user %q", user)
	}
}

func TestSeed(t *testing.T) {
	e := newEnv(t, Options{})
	demo := e.s.AddDemo()
	early := e.newDeviceFor(demo, "early")
	if err := e.s.Seed(demo.User, demo.Token, 30, rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	// A device registered after the seed gets the seeded messages too.
	late := e.newDeviceFor(demo, "late")
	for _, id := range []string{early.id, late.id} {
		dev, _ := e.s.Device(id)
		checkSeeded(t, dev.Queue, 30)
	}
	rs := e.s.Receipts()
	if len(rs) != 1 || len(rs[0].Users) != 1 {
		t.Fatalf("receipts %+v", rs)
	}
	// The late device can acknowledge the seeded emergency, and its copy
	// is marked.
	e.do("POST", "/1/receipts/"+rs[0].Receipt+"/acknowledge.json", map[string][]string{"secret": {late.secret}}).check(t, 200)
	dev, _ := e.s.Device(late.id)
	for _, m := range dev.Queue {
		if m.Receipt != "" && m.Acked != 1 {
			t.Errorf("late copy not acked")
		}
	}
}

func (e *env) newDeviceFor(demo Demo, name string) testDevice {
	e.t.Helper()
	user, secret := e.login(demo.Email, demo.Password)
	return testDevice{user: user, secret: secret, id: e.register(secret, name)}
}

// checkSeeded verifies the variety the demo promises.
func checkSeeded(t *testing.T, q []ClientMessage, n int) {
	t.Helper()
	if len(q) != n {
		t.Fatalf("%d messages, want %d", len(q), n)
	}
	apps := map[string]bool{}
	prios := map[int]bool{}
	emergencies, html, urls, long, hostile, cjk, emoji, rtl := 0, 0, 0, 0, 0, 0, 0, 0
	for i, m := range q {
		if i > 0 && (m.ID <= q[i-1].ID || m.Date < q[i-1].Date) {
			t.Errorf("message %d out of order", i)
		}
		apps[m.App] = true
		prios[m.Priority] = true
		text := m.Title + m.Message
		switch {
		case m.Priority == 2:
			emergencies++
		case m.HTML == 1:
			html++
		}
		if m.URL != "" && m.URLTitle != "" {
			urls++
		}
		if utf8.RuneCountInString(m.Message) == maxMessage {
			long++
		}
		if strings.Contains(text, "\x1b]2;") || strings.Contains(text, "\x1b[") {
			hostile++
		}
		if strings.Contains(text, "家族") {
			cjk++
		}
		if strings.Contains(text, "🚀") {
			emoji++
		}
		if strings.Contains(text, "العربية") {
			rtl++
		}
	}
	if emergencies != 1 {
		t.Errorf("%d emergencies, want exactly 1", emergencies)
	}
	if len(apps) < 4 || len(prios) != 5 || html == 0 || urls == 0 || long == 0 || hostile == 0 || cjk == 0 || emoji == 0 || rtl == 0 {
		t.Errorf("not varied enough: apps %v, priorities %v, html %d, urls %d, long %d, hostile %d, cjk %d, emoji %d, rtl %d",
			apps, prios, html, urls, long, hostile, cjk, emoji, rtl)
	}
}

func TestSamplesAreValid(t *testing.T) {
	e := newEnv(t, Options{})
	demo := e.s.AddDemo()
	emergency, others := splitSamples()
	for _, sm := range append(others, emergency) {
		if _, err := e.s.Publish(e.s.sampleMessage(sm, demo.User, demo.Token)); err != nil {
			t.Errorf("sample %q: %v", sm.title, err)
		}
	}
	if n := utf8.RuneCountInString(longBody()); n != maxMessage {
		t.Errorf("long body has %d characters", n)
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		if _, err := e.s.PublishSample(demo.User, demo.Token, r); err != nil {
			t.Fatal(err)
		}
	}
}
