package session

import (
	"context"
	"io"
	"sync/atomic"
	"time"
)

// stallWatch cancels a request that waits too long: for its reply to
// start, and then for each read of its body. Time spent between reads (the
// caller storing what it got) does not count, so a long download that
// keeps moving is never cut off, while a stalled one is after d.
type stallWatch struct {
	d     time.Duration
	timer *time.Timer
	hit   atomic.Bool
}

func newStallWatch(d time.Duration, cancel context.CancelFunc) *stallWatch {
	w := &stallWatch{d: d}
	w.timer = time.AfterFunc(time.Hour, func() {
		w.hit.Store(true)
		cancel()
	})
	w.timer.Stop()
	return w
}

func (w *stallWatch) arm()                         { w.timer.Reset(w.d) }
func (w *stallWatch) disarm()                      { w.timer.Stop() }
func (w *stallWatch) stop()                        { w.timer.Stop() }
func (w *stallWatch) fired() bool                  { return w.hit.Load() }
func (w *stallWatch) reader(r io.Reader) io.Reader { return &stallReader{r: r, w: w} }

// stallReader arms the watch while a Read waits for bytes.
type stallReader struct {
	r io.Reader
	w *stallWatch
}

func (s *stallReader) Read(p []byte) (int, error) {
	s.w.arm()
	n, err := s.r.Read(p)
	s.w.disarm()
	return n, err
}
