package session

import (
	"strings"
	"testing"
)

func TestCheckDeviceName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"laptop", true}, {"a", true}, {"My_Box-2", true}, {strings.Repeat("x", 25), true},
		{"", false}, {strings.Repeat("x", 26), false}, {"has space", false}, {"dot.ted", false}, {"ünï", false},
	}
	for _, tt := range tests {
		if err := CheckDeviceName(tt.name); (err == nil) != tt.ok {
			t.Errorf("CheckDeviceName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}

func TestDeviceNameFrom(t *testing.T) {
	tests := []struct{ in, want string }{
		{"laptop", "laptop"},
		{"build01.example.com", "build01"},
		{"Mary's MacBook Pro", "Mary-s-MacBook-Pro"},
		{"a-very-long-host-name-that-goes-on", "a-very-long-host-name-tha"},
		{"", "pobox"},
		{"...", "pobox"},
		{"ünï", "n"},
		{"üü", "pobox"},
		{"-x-", "x"},
	}
	for _, tt := range tests {
		got := DeviceNameFrom(tt.in)
		if got != tt.want {
			t.Errorf("DeviceNameFrom(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if err := CheckDeviceName(got); err != nil {
			t.Errorf("DeviceNameFrom(%q) = %q is invalid: %v", tt.in, got, err)
		}
	}
}

func TestNextDeviceName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"laptop", "laptop-2"},
		{"laptop-2", "laptop-3"},
		{"laptop-9", "laptop-10"},
		{"web-server", "web-server-2"},
		{"laptop-02", "laptop-02-2"},
		{strings.Repeat("x", 25), strings.Repeat("x", 23) + "-2"},
		{strings.Repeat("x", 22) + "-99", strings.Repeat("x", 21) + "-100"},
	}
	for _, tt := range tests {
		got := NextDeviceName(tt.in)
		if got != tt.want {
			t.Errorf("NextDeviceName(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if err := CheckDeviceName(got); err != nil {
			t.Errorf("NextDeviceName(%q) = %q is invalid: %v", tt.in, got, err)
		}
	}
}
