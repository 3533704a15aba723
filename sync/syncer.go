package sync

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"pobox/cache"
	"pobox/session"
)

// ingestBatch is how many downloaded messages are committed at a time.
const ingestBatch = 1000

// stateSyncedDevice remembers the device whose backlog was stored: the
// first sync of any other device (a new login) is a backlog sync.
const stateSyncedDevice = "sync.synced_device"

// stateBacklogUpTo is the highest id of the last backlog sync, so that
// followers do not ring for it either.
const stateBacklogUpTo = "sync.backlog_upto"

// syncWorker performs the requested runs one after another.
func (e *Engine) syncWorker(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.syncReq:
		}
		if e.ended.is() {
			continue
		}
		e.emit(Syncing{})
		ev, err := e.SyncOnce(ctx)
		if ctx.Err() != nil {
			return
		}
		if !ev.At.IsZero() {
			e.emit(ev)
		}
		switch {
		case err == nil:
		case errors.Is(err, session.ErrSessionInvalid):
			e.endSession(ctx, EndLoggedOut)
		default:
			e.log.Warn("sync", "err", err)
			e.emit(SyncFailed{Err: err})
		}
	}
}

// SyncOnce downloads the device's queue, stores it, and then (unless the
// setting is "manual") deletes it on the server. It returns what was
// stored; Synced.At is zero when nothing could be stored. An error with a
// non-zero Synced means the messages are stored but the delete on the
// server failed: the next run downloads them again, harmlessly. Runs are
// serialised. `pobox sync` calls it without Start.
func (e *Engine) SyncOnce(ctx context.Context) (Synced, error) {
	e.syncMu.Lock()
	defer e.syncMu.Unlock()
	login := e.cfg.Login

	synced, _, err := e.db.State(ctx, stateSyncedDevice)
	if err != nil {
		return Synced{}, err
	}
	backlog := synced != login.DeviceID

	// Each batch is committed as it arrives, so that a queue of any size
	// costs the memory of one batch; a crash between batches only repeats
	// the download of what was committed.
	ev := Synced{MaxPriority: -3, Backlog: backlog}
	var top int64
	err = e.cfg.Client.DownloadEach(ctx, login.Secret, login.DeviceID, ingestBatch, func(msgs []session.Message) error {
		batch := make([]cache.Message, len(msgs))
		for i, m := range msgs {
			batch[i] = toCache(m)
		}
		stored, err := e.db.Ingest(ctx, batch)
		if err != nil {
			return fmt.Errorf("store downloaded messages: %w", err)
		}
		for _, m := range msgs {
			top = max(top, m.ID)
		}
		ev.add(stored)
		return nil
	})
	if err != nil && top == 0 {
		return Synced{}, fmt.Errorf("download messages: %w", err)
	}
	now := e.cfg.Now()
	ev.At = now
	if err != nil {
		// Part of the queue is stored; the server keeps all of it.
		return ev, fmt.Errorf("download messages: %w", err)
	}
	if err := e.recordSync(ctx, now, backlog, top); err != nil {
		return ev, err
	}
	if e.afterCommit != nil {
		if err := e.afterCommit(); err != nil {
			return ev, err
		}
	}
	if top == 0 || e.cfg.ServerDelete == DeleteManual {
		return ev, nil
	}
	// Only now that the batch is committed may the server forget it.
	if err := e.cfg.Client.DeleteUpTo(ctx, login.Secret, login.DeviceID, top); err != nil {
		return ev, fmt.Errorf("delete the downloaded messages on the server (they will be downloaded again): %w", err)
	}
	if err := e.db.SetState(ctx, cache.StateServerDeletedUpTo, strconv.FormatInt(top, 10)); err != nil {
		e.log.Warn("record server delete", "err", err)
	}
	return ev, nil
}

// recordSync notes the time of the sync and, for a backlog sync, that this
// device's backlog is stored.
func (e *Engine) recordSync(ctx context.Context, now time.Time, backlog bool, top int64) error {
	if err := e.db.SetState(ctx, cache.StateLastSync, now.UTC().Format(time.RFC3339Nano)); err != nil {
		return err
	}
	if !backlog {
		return nil
	}
	if err := e.db.SetState(ctx, stateBacklogUpTo, strconv.FormatInt(top, 10)); err != nil {
		return err
	}
	return e.db.SetState(ctx, stateSyncedDevice, e.cfg.Login.DeviceID)
}

// add counts newly stored messages into a Synced event.
func (ev *Synced) add(fresh []cache.Message) {
	for _, m := range fresh {
		ev.New = append(ev.New, m.ID)
		ev.MaxPriority = max(ev.MaxPriority, m.Priority)
		if m.NeedsAck() {
			ev.Emergency = true
		}
	}
}

// toCache converts a downloaded message to the cache's type.
func toCache(m session.Message) cache.Message {
	return cache.Message{
		ID:             m.ID,
		UMID:           m.UMID,
		Title:          m.Title,
		Message:        m.Message,
		App:            m.App,
		AID:            m.AID,
		Icon:           m.Icon,
		Date:           unix(m.Date),
		QueuedDate:     unix(m.QueuedDate),
		DispatchedDate: unix(m.DispatchedDate),
		Priority:       m.Priority,
		Sound:          m.Sound,
		URL:            m.URL,
		URLTitle:       m.URLTitle,
		Acked:          m.Acked,
		Receipt:        m.Receipt,
		HTML:           m.HTML,
		Monospace:      m.Monospace,
	}
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
