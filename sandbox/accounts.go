package sandbox

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// deviceName is Pushover's device name rule: 1-25 of [A-Za-z0-9_-].
var deviceName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,25}$`)

// AddAccount adds an account that can log in and returns its user key.
// Adding an email that exists updates its password and two-factor code and
// returns the existing key, so that a loaded state and a fresh setup agree.
func (s *Server) AddAccount(a Account) (userKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.dirty()
	return s.addAccountLocked(a, "")
}

func (s *Server) addAccountLocked(a Account, key string) string {
	if acc := s.st.byEmail[a.Email]; acc != nil {
		acc.Password, acc.TwoFA = a.Password, a.TwoFA
		return acc.UserKey
	}
	if key == "" || s.st.Accounts[key] != nil || s.st.Groups[key] != nil {
		key = randomKey(30)
	}
	acc := &account{
		Email: a.Email, Password: a.Password, TwoFA: a.TwoFA,
		UserKey: key, CreatedAt: s.now().Unix(), Secrets: map[string]string{},
	}
	s.st.Accounts[key] = acc
	s.st.byEmail[a.Email] = acc
	return key
}

// AddApp adds an application and returns its token. App names need not be
// unique, as on Pushover.
func (s *Server) AddApp(name string) (token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.dirty()
	return s.addAppLocked(name, "").Token
}

func (s *Server) addAppLocked(name, token string) *app {
	if token == "" || s.st.Apps[token] != nil {
		token = randomKey(30)
	}
	ap := &app{
		Token: token, Name: name, AID: s.st.NextAID,
		Icon: strings.ToLower(randomKey(15)), ResetAt: quotaReset(s.now()),
	}
	s.st.NextAID += 7919 // spaced, so aids look like independent ids
	s.st.Apps[token] = ap
	return ap
}

// appNamed returns an app with that name, adding it if there is none.
func (s *Server) appNamedLocked(name string) *app {
	names := make([]string, 0, len(s.st.Apps))
	for tok, ap := range s.st.Apps {
		if ap.Name == name {
			names = append(names, tok)
		}
	}
	if len(names) > 0 {
		sort.Strings(names) // deterministic when several share the name
		return s.st.Apps[names[0]]
	}
	return s.addAppLocked(name, "")
}

// AddGroup adds a delivery group of existing user keys and returns the
// group key; a message to it reaches every member.
func (s *Server) AddGroup(members ...string) (groupKey string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range members {
		if s.st.Accounts[m] == nil {
			return "", fmt.Errorf("sandbox: add group: %q is not a user key of this sandbox", m)
		}
	}
	key := randomKey(30)
	s.st.Groups[key] = &group{Key: key, Members: slices.Clone(members)}
	s.dirty()
	return key, nil
}

// AddDevice registers an Open Client device for an account without going
// through REST, with a session secret of its own, as login and devices.json
// would produce.
func (s *Server) AddDevice(userKey, name string) (deviceID, secret string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	acc := s.st.Accounts[userKey]
	if acc == nil {
		return "", "", fmt.Errorf("sandbox: add device: unknown user key %q", userKey)
	}
	if !deviceName.MatchString(name) {
		return "", "", fmt.Errorf("sandbox: add device: name %q is not 1-25 of [A-Za-z0-9_-]", name)
	}
	if s.st.deviceNamed(acc, name) != nil {
		return "", "", fmt.Errorf("sandbox: add device: name %q has already been taken", name)
	}
	secret = s.newSecretLocked(acc)
	d := s.registerLocked(acc, secret, name)
	s.dirty()
	return d.ID, secret, nil
}

func (s *Server) newSecretLocked(acc *account) string {
	sec := randomKey(60)
	acc.Secrets[sec] = ""
	s.st.bySecret[sec] = acc
	return sec
}

func (s *Server) registerLocked(acc *account, secret, name string) *device {
	d := &device{ID: randomKey(40), Name: name, UserKey: acc.UserKey, NextID: s.opts.FirstID}
	s.st.Devices[d.ID] = d
	acc.Devices = append(acc.Devices, d.ID)
	acc.Secrets[secret] = d.ID
	s.deliverBacklogLocked(acc, d)
	return d
}

// RemoveDevice deletes a device, as deleting it on the Pushover website
// does: its name becomes free, its queue is gone, and a live websocket
// session gets 'E' (the device is disabled) and is closed.
func (s *Server) RemoveDevice(deviceID string) bool {
	s.mu.Lock()
	d := s.st.Devices[deviceID]
	if d != nil {
		delete(s.st.Devices, deviceID)
		if acc := s.st.Accounts[d.UserKey]; acc != nil {
			acc.Devices = slices.DeleteFunc(acc.Devices, func(id string) bool { return id == deviceID })
		}
		s.dirty()
	}
	s.mu.Unlock()
	if d != nil {
		s.ws.finish(deviceID, frameError)
	}
	return d != nil
}

// RevokeSecrets invalidates every session secret of an account (as a
// password change would): REST calls with them fail and live websocket
// sessions of its devices get 'E'.
func (s *Server) RevokeSecrets(userKey string) {
	s.mu.Lock()
	acc := s.st.Accounts[userKey]
	var devs []string
	if acc != nil {
		for sec := range acc.Secrets {
			delete(s.st.bySecret, sec)
		}
		acc.Secrets = map[string]string{}
		devs = slices.Clone(acc.Devices)
		s.dirty()
	}
	s.mu.Unlock()
	for _, id := range devs {
		s.ws.finish(id, frameError)
	}
}

// Devices returns the account's devices in registration order.
func (s *Server) Devices(userKey string) []Device {
	s.mu.Lock()
	defer s.mu.Unlock()
	acc := s.st.Accounts[userKey]
	if acc == nil {
		return nil
	}
	now := s.now().Unix()
	out := make([]Device, 0, len(acc.Devices))
	for _, id := range acc.Devices {
		if d := s.st.Devices[id]; d != nil {
			out = append(out, d.view(now, s.ws.online(id)))
		}
	}
	return out
}

// Device returns one device by id, every queued message spelled out: for a
// queue of a million (QueueBulk), QueueLen is the cheap check.
func (s *Server) Device(deviceID string) (Device, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.st.Devices[deviceID]
	if d == nil {
		return Device{}, false
	}
	return d.view(s.now().Unix(), s.ws.online(deviceID)), true
}

// Receipt returns the state of an emergency receipt.
func (s *Server) Receipt(receipt string) (ReceiptState, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.Receipts[receipt]
	if r == nil {
		return ReceiptState{}, false
	}
	return r.view(), true
}

// Receipts returns every receipt, sorted by receipt.
func (s *Server) Receipts() []ReceiptState {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ReceiptState, 0, len(s.st.Receipts))
	for _, r := range s.st.Receipts {
		out = append(out, r.view())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Receipt < out[j].Receipt })
	return out
}
