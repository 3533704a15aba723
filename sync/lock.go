//go:build unix

package sync

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// holderLock is the exclusive lock that makes one pobox process the holder
// of the websocket. It is an flock(2) on a file in the state directory: the
// kernel releases it when the process exits or dies, so a follower can take
// over without any clean-up by the old holder.
type holderLock struct {
	f *os.File
}

// tryLock takes the holder lock at path without waiting. It returns
// (nil, nil) when another process (or another open file in this one) holds it.
func tryLock(path string) (*holderLock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create state directory for the lock: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, nil
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &holderLock{f: f}, nil
}

// release gives the lock up so that a follower can take it.
func (l *holderLock) release() error {
	// Closing the descriptor drops the flock.
	return l.f.Close()
}
