package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"pobox/cache"
	"pobox/session"
)

// ingestBatch is how many downloaded messages are committed at a time.
const ingestBatch = 1000

// Progress reports a download as it goes, for `pobox sync` on a terminal.
type Progress struct {
	Downloaded int           // messages received so far
	Stored     int           // of those, stored for the first time
	Elapsed    time.Duration // since the download started
}

// syncWorker performs the requested runs one after another. A run that
// failed is tried again on its own, with backoff and jitter, while the
// engine holds the websocket: otherwise nothing would retry it before the
// next '!', and on a quiet account that is hours.
func (e *Engine) syncWorker(ctx context.Context) {
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.syncReq:
		case <-retry.C:
			if !e.holder.Load() {
				continue // the holder syncs, and retries its own failures
			}
		}
		if e.ended.is() {
			continue
		}
		e.emit(Syncing{})
		_, err := e.run(ctx, true, nil)
		if ctx.Err() != nil {
			return
		}
		switch {
		case err == nil:
			failures = 0
			retry.Stop()
		case errors.Is(err, session.ErrSessionInvalid):
			e.endSession(ctx, EndLoggedOut)
		default:
			wait := e.retryWait(failures)
			failures++
			e.log.Warn("sync", "err", err, "retry_in", wait.Round(time.Millisecond))
			e.emit(SyncFailed{Err: err, RetryAt: e.cfg.Now().Add(wait)})
			retry.Reset(wait)
		}
	}
}

// retryWait is the wait before retrying a failed sync for the n-th time
// (0-based): full jitter between RetrySync and RetrySync*2^n, at most
// RetrySyncMax.
func (e *Engine) retryWait(n int) time.Duration {
	return jitter(e.cfg.RetrySync, e.cfg.RetrySyncMax, n)
}

// SyncOnce downloads the device's queue, stores it, and then (unless the
// setting is "manual") deletes on the server what it stored. It returns
// what was stored (New holds every new key; At is zero when nothing could
// be stored). When the download fails part-way, what was committed is
// deleted on the server all the same (it is safe: it is stored), so that
// the next download starts where this one stopped; the error then says
// what failed. Runs are serialised. `pobox sync` calls it without Start.
func (e *Engine) SyncOnce(ctx context.Context) (Synced, error) {
	return e.run(ctx, false, nil)
}

// SyncProgress is SyncOnce that reports progress after each stored batch.
func (e *Engine) SyncProgress(ctx context.Context, progress func(Progress)) (Synced, error) {
	return e.run(ctx, false, progress)
}

// run is one sync. With announce, each committed batch is announced as it
// is stored (events, hooks) before anything is deleted on the server: a
// failing or slow delete must not hold back the bell.
func (e *Engine) run(ctx context.Context, announce bool, progress func(Progress)) (Synced, error) {
	e.syncMu.Lock()
	defer e.syncMu.Unlock()
	login := e.cfg.Login
	dev, err := e.device(ctx)
	if err != nil {
		return Synced{}, err
	}
	backlog := !dev.BacklogDone

	// Each batch is committed as it arrives, so that a queue of any size
	// costs the memory of one batch; a crash between batches only repeats
	// the download of what was committed.
	total := Synced{MaxPriority: -3, Backlog: backlog}
	var top int64 // highest id committed by this run
	var p Progress
	start := e.cfg.Now()
	dlErr := e.cfg.Client.DownloadEach(ctx, login.Secret, login.DeviceID, ingestBatch, func(msgs []session.Message) error {
		batch := make([]cache.Message, 0, len(msgs))
		for _, m := range msgs {
			if m.ID <= 0 {
				// Without an id it cannot be stored or deleted by
				// watermark; the next one's delete covers it.
				e.log.Warn("downloaded message without an id skipped", "umid", m.UMID)
				continue
			}
			batch = append(batch, toCache(m))
		}
		stored, err := e.db.Ingest(ctx, cache.Batch{Device: dev.N, Messages: batch, Backlog: backlog})
		if err != nil {
			return fmt.Errorf("store downloaded messages: %w", err)
		}
		for _, m := range batch {
			top = max(top, m.ID)
		}
		ev := Synced{At: e.cfg.Now(), MaxPriority: -3, Backlog: backlog}
		ev.add(stored)
		total.New = append(total.New, ev.New...)
		total.MaxPriority = max(total.MaxPriority, ev.MaxPriority)
		total.Emergency = total.Emergency || ev.Emergency
		total.Emergencies = append(total.Emergencies, ev.Emergencies...)
		if e.afterIngest != nil {
			e.afterIngest()
		}
		if announce {
			e.announce(ctx, backlog, stored)
		}
		if progress != nil {
			p.Downloaded += len(msgs)
			p.Stored += len(stored)
			p.Elapsed = e.cfg.Now().Sub(start)
			progress(p)
		}
		return nil
	})
	if dlErr != nil && top == 0 {
		return Synced{}, fmt.Errorf("download messages: %w", dlErr)
	}
	if dlErr != nil {
		dlErr = fmt.Errorf("download messages (the %d stored so far are kept; the next sync goes on from there): %w", len(total.New), dlErr)
	}
	now := e.cfg.Now()
	total.At = now
	if announce && len(total.New) == 0 {
		// Nothing new: the owner still learns that a sync happened.
		e.emit(Synced{At: now, MaxPriority: -3, Backlog: backlog})
	}
	// The commits above become durable with this one, before the server
	// forgets anything.
	if err := e.db.RecordSync(ctx, dev.N, now, dlErr == nil); err != nil {
		return total, errors.Join(dlErr, err)
	}
	if e.afterCommit != nil {
		if err := e.afterCommit(); err != nil {
			return total, errors.Join(dlErr, err)
		}
	}
	if top == 0 || e.cfg.ServerDelete == DeleteManual {
		return total, dlErr
	}
	// Only now that the messages are durably stored may the server forget
	// them; top is the highest id committed, never above it.
	if err := e.cfg.Client.DeleteUpTo(ctx, login.Secret, login.DeviceID, top); err != nil {
		return total, errors.Join(dlErr, fmt.Errorf("delete the downloaded messages on the server (they will be downloaded again): %w", err))
	}
	if err := e.db.SetServerDeletedUpTo(ctx, dev.N, top); err != nil {
		e.log.Warn("record server delete", "err", err)
	}
	return total, dlErr
}

// add counts newly stored messages into a Synced event.
func (ev *Synced) add(fresh []cache.Message) {
	for _, m := range fresh {
		ev.New = append(ev.New, m.Key)
		ev.MaxPriority = max(ev.MaxPriority, m.Priority)
		if m.NeedsAck() {
			ev.Emergency = true
			ev.Emergencies = append(ev.Emergencies, Emergency{m.Key, m.Receipt})
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
		Problem:        m.Problem,
	}
}

func unix(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}
