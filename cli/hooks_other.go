//go:build !unix

package cli

import "os/exec"

// killGroup leaves the default: cancellation kills the shell.
func killGroup(cmd *exec.Cmd) {}
