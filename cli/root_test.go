package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		wantOut    string
		wantErrOut string
	}{
		{"Version", []string{"version"}, 0, "pobox " + version, ""},
		{"VersionFlag", []string{"--version"}, 0, "pobox " + version, ""},
		{"Help", []string{"--help"}, 0, "Commands:", ""},
		{"VerbHelp", []string{"version", "--help"}, 0, "Example:", ""},
		{"UnknownVerb", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"BadFlag", []string{"version", "--nope"}, 2, "", "flag provided but not defined"},
		{"ExtraArg", []string{"version", "x"}, 2, "", "takes no arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			a := &app{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
			if code := run(context.Background(), a, tt.args); code != tt.code {
				t.Errorf("exit status %d, want %d (stderr %q)", code, tt.code, errOut.String())
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout %q does not contain %q", out.String(), tt.wantOut)
			}
			if !strings.Contains(errOut.String(), tt.wantErrOut) {
				t.Errorf("stderr %q does not contain %q", errOut.String(), tt.wantErrOut)
			}
		})
	}
}
