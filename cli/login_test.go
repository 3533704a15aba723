package cli

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"pobox/sandbox"
	"pobox/session"
)

// scriptedTerminal answers login's questions from a list and records them.
type scriptedTerminal struct {
	t       *testing.T
	answers []string
	prompts []string
}

func (s *scriptedTerminal) next(prompt string) (string, error) {
	s.prompts = append(s.prompts, prompt)
	if len(s.answers) == 0 {
		s.t.Fatalf("unexpected question %q", prompt)
	}
	a := s.answers[0]
	s.answers = s.answers[1:]
	return a, nil
}

func (s *scriptedTerminal) ReadLine(ctx context.Context, prompt string) (string, error) {
	return s.next(prompt)
}

func (s *scriptedTerminal) ReadPassword(ctx context.Context, prompt string) (string, error) {
	return s.next("(hidden) " + prompt)
}

// loginEnv starts a sandbox with the demo account and a 2FA account and
// points pobox at it.
func loginEnv(t *testing.T) *sandbox.Server {
	t.Helper()
	configEnv(t)
	srv, err := sandbox.New(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	srv.AddDemo()
	srv.AddAccount(sandbox.Account{Email: "2fa@pobox.example", Password: sandbox.DemoPassword, TwoFA: "424242"})
	t.Setenv("POBOX_API_URL", srv.APIURL())
	t.Setenv("POBOX_WS_URL", srv.WSURL())
	return srv
}

// runLoginWith runs `pobox login args...` with the scripted terminal and
// returns the exit status and the output.
func runLoginWith(t *testing.T, tty *scriptedTerminal, stdin string, args ...string) (int, string, string) {
	t.Helper()
	saved := openTerminal
	t.Cleanup(func() { openTerminal = saved })
	openTerminal = func(*app) (terminal, func()) {
		if tty == nil {
			return nil, nil
		}
		return tty, func() {}
	}
	var out, errOut bytes.Buffer
	a := &app{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut}
	code := run(context.Background(), a, append([]string{"login"}, args...))
	return code, out.String(), errOut.String()
}

func storedLogin(t *testing.T) *session.Stored {
	t.Helper()
	st, err := session.Load(os.Getenv("XDG_CONFIG_HOME") + "/pobox/session.json")
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestLoginInteractive(t *testing.T) {
	host, _ := os.Hostname()
	defaultName := session.DeviceNameFrom(host)
	tests := []struct {
		name        string
		before      func(t *testing.T) // e.g. a device that takes the name
		args        []string
		stdin       string
		answers     []string
		wantPrompts []string
		wantDevice  string
		wantErrOut  string
	}{
		{"AsksEverything", nil, nil, "",
			[]string{"demo@pobox.example", "pobox-demo", ""},
			[]string{"E-mail: ", "(hidden) Password: ", "Device name [" + defaultName + "]: "}, defaultName, ""},
		{"TypedDeviceName", nil, []string{"--email", "demo@pobox.example"}, "",
			[]string{"pobox-demo", "desk"},
			[]string{"(hidden) Password: ", "Device name [" + defaultName + "]: "}, "desk", ""},
		{"TwoFactorAsksAgainAfterAWrongCode", nil, []string{"--device", "tfa"}, "",
			[]string{"2fa@pobox.example", "pobox-demo", "000000", "424242"},
			[]string{"E-mail: ", "(hidden) Password: ", "Two-factor code: ", "Two-factor code: "}, "tfa",
			"That code was not accepted."},
		{"TwoFactorWithPasswordStdinAsksOnTheTerminal", nil,
			[]string{"--email", "2fa@pobox.example", "--password-stdin", "--device", "laptop"}, "pobox-demo\n",
			[]string{"424242"}, []string{"Two-factor code: "}, "laptop", ""},
		{"TakenNameOffersAFreeOne", func(t *testing.T) {
			if code, _, errOut := runLoginWith(t, nil, "pobox-demo\n", "--email", "demo@pobox.example", "--password-stdin", "--device", "laptop"); code != 0 {
				t.Fatalf("first login: %s", errOut)
			}
		}, []string{"--email", "demo@pobox.example", "--device", "laptop"}, "",
			[]string{"pobox-demo", ""},
			[]string{"(hidden) Password: ", "Device name [laptop-2]: "}, "laptop-2", `"laptop" is already taken`},
		{"InvalidNameAsksAgain", nil, []string{"--email", "demo@pobox.example"}, "",
			[]string{"pobox-demo", "my laptop", "my-laptop"},
			[]string{"(hidden) Password: ", "Device name [" + defaultName + "]: ", "Device name [" + defaultName + "]: "}, "my-laptop",
			`device name "my laptop" contains`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loginEnv(t)
			if tt.before != nil {
				tt.before(t)
			}
			tty := &scriptedTerminal{t: t, answers: tt.answers}
			code, out, errOut := runLoginWith(t, tty, tt.stdin, tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !slices.Equal(tty.prompts, tt.wantPrompts) {
				t.Errorf("prompts %q, want %q", tty.prompts, tt.wantPrompts)
			}
			if len(tty.answers) != 0 {
				t.Errorf("unused answers %q", tty.answers)
			}
			st := storedLogin(t)
			if st.DeviceName != tt.wantDevice || !strings.Contains(out, `"`+tt.wantDevice+`"`) {
				t.Errorf("device %q, output %q; want %q", st.DeviceName, out, tt.wantDevice)
			}
			if !strings.Contains(errOut, tt.wantErrOut) {
				t.Errorf("stderr %q lacks %q", errOut, tt.wantErrOut)
			}
			for _, s := range []string{st.Secret.Reveal(), "pobox-demo"} {
				if strings.Contains(out+errOut, s) {
					t.Errorf("output shows %q", s)
				}
			}
		})
	}
}

func TestLoginTwoFactorTriesAreBounded(t *testing.T) {
	loginEnv(t)
	tty := &scriptedTerminal{t: t, answers: []string{"1", "2", "3"}}
	code, _, errOut := runLoginWith(t, tty, "pobox-demo\n", "--email", "2fa@pobox.example", "--password-stdin")
	if code != ExitRefused || !strings.Contains(errOut, "two-factor code was not accepted") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if len(tty.prompts) != 3 {
		t.Errorf("%d prompts, want 3", len(tty.prompts))
	}
	if _, err := os.Stat(os.Getenv("XDG_CONFIG_HOME") + "/pobox/session.json"); err == nil {
		t.Error("a failed login stored a session")
	}
}

func TestLoginStoresAPIAndWebsocketURLs(t *testing.T) {
	srv := loginEnv(t)
	code, _, errOut := runLoginWith(t, nil, "pobox-demo\r\n", "--email", "demo@pobox.example", "--password-stdin", "--device", "laptop")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	st := storedLogin(t)
	if st.APIURL != srv.APIURL() || st.WSURL != srv.WSURL() || st.UserKey != sandbox.DemoUser || st.DeviceID == "" {
		t.Errorf("stored %+v", st)
	}
	if d, ok := srv.Device(st.DeviceID); !ok || d.Name != "laptop" {
		t.Errorf("server device %+v, %v", d, ok)
	}
}
