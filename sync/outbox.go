package sync

import (
	"context"
	"errors"
	"fmt"
	"time"

	"pobox/cache"
	"pobox/session"
)

// Acknowledge acknowledges the emergency with this receipt. The messages
// sharing it show as pending at once; the holder sends the acknowledgement
// now, or replays it when the server can be reached again.
func (e *Engine) Acknowledge(ctx context.Context, receipt string) error {
	dev, err := e.device(ctx)
	if err != nil {
		return err
	}
	if _, err := e.db.EnqueueAck(ctx, dev.N, receipt); err != nil {
		return fmt.Errorf("queue the acknowledgement: %w", err)
	}
	e.kickOutbox()
	return nil
}

// AcknowledgeAll acknowledges every emergency not yet acknowledged and
// returns how many receipts it queued.
func (e *Engine) AcknowledgeAll(ctx context.Context) (int, error) {
	dev, err := e.device(ctx)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	var before int64
	for {
		ms, err := e.db.Older(ctx, cache.Filter{Unacked: true}, before, cache.MaxLimit)
		if err != nil {
			return len(seen), err
		}
		for _, m := range ms {
			if seen[m.Receipt] || m.AckPending {
				continue
			}
			seen[m.Receipt] = true
			if _, err := e.db.EnqueueAck(ctx, dev.N, m.Receipt); err != nil {
				return len(seen) - 1, fmt.Errorf("queue the acknowledgement: %w", err)
			}
		}
		if len(ms) < cache.MaxLimit {
			break
		}
		before = ms[len(ms)-1].Key
	}
	e.kickOutbox()
	return len(seen), nil
}

// DeleteUpTo deletes the message with this key and every older one, here
// at once, and on the server through the outbox up to the highest id of
// this login's device among them (see cache.DB.DeleteUpTo).
func (e *Engine) DeleteUpTo(ctx context.Context, key int64) (cache.Deleted, error) {
	dev, err := e.device(ctx)
	if err != nil {
		return cache.Deleted{}, err
	}
	d, err := e.db.DeleteUpTo(ctx, key, dev.N)
	if err != nil {
		return d, fmt.Errorf("delete messages: %w", err)
	}
	e.kickOutbox()
	return d, nil
}

// DeleteUpToID is DeleteUpTo for a message id of this login's device, as
// `pobox delete --upto ID` gives it: the server delete goes no higher than
// the newest id stored here (see cache.DB.DeleteUpToID).
func (e *Engine) DeleteUpToID(ctx context.Context, id int64) (cache.Deleted, error) {
	dev, err := e.device(ctx)
	if err != nil {
		return cache.Deleted{}, err
	}
	d, err := e.db.DeleteUpToID(ctx, dev.N, id)
	if err != nil {
		return d, fmt.Errorf("delete messages: %w", err)
	}
	e.kickOutbox()
	return d, nil
}

// outboxWorker replays the outbox when asked (an action, a connect,
// another process's write) and, after a temporary failure, on a backoff
// timer. Only the holder replays: followers leave their actions to it.
func (e *Engine) outboxWorker(ctx context.Context) {
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	defer retry.Stop()
	wait := e.cfg.RetryActions
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.outboxReq:
		case <-retry.C:
		}
		if !e.holder.Load() || e.ended.is() {
			continue
		}
		if e.drain(ctx, e.emit) {
			retry.Reset(wait)
			wait = min(2*wait, 5*time.Minute)
		} else {
			wait = e.cfg.RetryActions
		}
	}
}

// Flush performs the waiting actions now, in order, and returns what became
// of each (ActionDone or ActionFailed), for commands that exit right after
// (`pobox ack`, `pobox delete`). What fails for now stays queued (see
// drain). It works without Start;
// should another process replay the same action at the same time, the
// server sees it twice, which is harmless for both kinds.
func (e *Engine) Flush(ctx context.Context) []Event {
	var out []Event
	e.drain(ctx, func(ev Event) { out = append(out, ev) })
	return out
}

// drain performs the waiting actions, reporting each result, and reports
// whether to retry. Acknowledgements do not depend on each other or on the
// deletes: one that keeps failing holds back nothing. Deletes stay in
// order: after one fails, the later ones wait for it. An action of a kind
// this version does not know is left for the version that queued it.
func (e *Engine) drain(ctx context.Context, report func(Event)) (retry bool) {
	items, err := e.db.Outbox(ctx)
	if err != nil {
		e.log.Warn("read the outbox", "err", err)
		return true
	}
	dev, err := e.device(ctx)
	if err != nil {
		e.log.Warn("read the device", "err", err)
		return true
	}
	deletesWait := false
	for _, it := range items {
		if ctx.Err() != nil {
			return false
		}
		switch it.Kind {
		case cache.OutboxAck:
		case cache.OutboxDeleteUpTo:
			if deletesWait {
				continue
			}
			if it.Device != dev.N {
				// Its id names another device's queue: sent with this
				// device's id it would delete messages never stored.
				e.log.Warn("delete-up-to of an earlier device dropped", "device", it.Device, "upto", it.UpToID)
				e.finish(ctx, it)
				report(ActionFailed{Action: actionOf(it), Err: errOtherDevice})
				continue
			}
			// Never above what this device committed, whatever the item says.
			it.UpToID = min(it.UpToID, dev.HighestSeen)
			if it.UpToID <= 0 {
				e.finish(ctx, it)
				continue
			}
		default:
			continue // a newer pobox's action: kept for it
		}
		act := actionOf(it)
		err := e.perform(ctx, it)
		switch {
		case err == nil:
			e.finish(ctx, it)
			if it.Kind == cache.OutboxDeleteUpTo {
				if err := e.db.SetServerDeletedUpTo(ctx, dev.N, it.UpToID); err != nil {
					e.log.Warn("record server delete", "err", err)
				}
			}
			report(ActionDone{Action: act})
		case ctx.Err() != nil:
			return false
		case errors.Is(err, session.ErrSessionInvalid):
			e.record(ctx, it, err)
			report(ActionFailed{Action: act, Err: err, Queued: true})
			e.endSession(ctx, EndLoggedOut)
			return false
		case temporary(err):
			e.record(ctx, it, err)
			report(ActionFailed{Action: act, Err: err, Queued: true})
			retry = true
			deletesWait = deletesWait || it.Kind == cache.OutboxDeleteUpTo
		default:
			// Refused for good (an expired or unknown receipt, say):
			// repeating it will not help. The emergency no longer
			// repeats, so it is marked acknowledged here all the same.
			e.finish(ctx, it)
			report(ActionFailed{Action: act, Err: err})
		}
	}
	return retry
}

// errOtherDevice: a delete-up-to queued under an earlier login.
var errOtherDevice = errors.New("it was queued by this cache's earlier device, whose ids mean nothing to the current one; " +
	"nothing was deleted on Pushover")

func (e *Engine) perform(ctx context.Context, it cache.OutboxItem) error {
	login := e.cfg.Login
	switch it.Kind {
	case cache.OutboxAck:
		return e.cfg.Client.Acknowledge(ctx, login.Secret, it.Receipt)
	case cache.OutboxDeleteUpTo:
		return e.cfg.Client.DeleteUpTo(ctx, login.Secret, login.DeviceID, it.UpToID)
	}
	return fmt.Errorf("outbox item %d has unknown kind %q", it.ID, it.Kind)
}

// finish removes a carried-out (or refused) item and applies its result.
func (e *Engine) finish(ctx context.Context, it cache.OutboxItem) {
	if it.Kind == cache.OutboxAck {
		if _, err := e.db.AcknowledgeReceipt(ctx, it.Receipt); err != nil {
			e.log.Warn("mark acknowledged", "err", err)
		}
	}
	if err := e.db.OutboxDone(ctx, it.ID); err != nil {
		e.log.Warn("finish outbox item", "err", err)
	}
}

func (e *Engine) record(ctx context.Context, it cache.OutboxItem, err error) {
	if rerr := e.db.OutboxFailed(ctx, it.ID, err.Error()); rerr != nil {
		e.log.Warn("record outbox failure", "err", rerr)
	}
}

// kickOutboxIfNew replays the outbox when it holds an action never tried:
// one another process queued. Failed ones wait for their retry, so that
// the engine's own write of a failure does not trigger the next attempt.
func (e *Engine) kickOutboxIfNew(ctx context.Context) {
	items, err := e.db.Outbox(ctx)
	if err != nil {
		return
	}
	for _, it := range items {
		if it.Attempts == 0 {
			e.kickOutbox()
			return
		}
	}
}

// temporary reports whether a failure may go away by itself.
func temporary(err error) bool {
	return errors.Is(err, session.ErrServer) || errors.Is(err, session.ErrUnreachable) ||
		errors.Is(err, session.ErrRateLimited)
}

func actionOf(it cache.OutboxItem) Action {
	if it.Kind == cache.OutboxAck {
		return Action{Kind: ActionAck, Receipt: it.Receipt}
	}
	return Action{Kind: ActionDeleteUpTo, UpTo: it.UpToID}
}
