//go:build !unix

package sync

import (
	"fmt"
	"os"
	"path/filepath"
)

// holderLock falls back, where flock(2) does not exist, to a lock file
// created exclusively. It is not released if the process dies: the user
// removes the file, as the error says.
type holderLock struct {
	path string
}

func tryLock(path string) (*holderLock, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create state directory for the lock: %w", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if os.IsExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("create lock file %s (remove it if no pobox is running): %w", path, err)
	}
	f.Close()
	return &holderLock{path: path}, nil
}

func (l *holderLock) release() error { return os.Remove(l.path) }
