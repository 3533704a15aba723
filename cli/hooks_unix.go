//go:build unix

package cli

import (
	"os/exec"
	"syscall"
)

// killGroup makes cmd the leader of its own process group and, on
// cancellation, kills the whole group: `sh -c 'sleep 100 | cat'` leaves
// no child behind.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
