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
	if _, err := e.db.EnqueueAck(ctx, receipt); err != nil {
		return fmt.Errorf("queue the acknowledgement: %w", err)
	}
	e.kickOutbox()
	return nil
}

// AcknowledgeAll acknowledges every emergency not yet acknowledged and
// returns how many receipts it queued.
func (e *Engine) AcknowledgeAll(ctx context.Context) (int, error) {
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
			if _, err := e.db.EnqueueAck(ctx, m.Receipt); err != nil {
				return len(seen) - 1, fmt.Errorf("queue the acknowledgement: %w", err)
			}
		}
		if len(ms) < cache.MaxLimit {
			break
		}
		before = ms[len(ms)-1].ID
	}
	e.kickOutbox()
	return len(seen), nil
}

// DeleteUpTo deletes every message with an id at or below id, here at once
// and on the server through the outbox. It returns how many messages it
// removed here.
func (e *Engine) DeleteUpTo(ctx context.Context, id int64) (int, error) {
	n, err := e.db.DeleteUpTo(ctx, id)
	if err != nil {
		return n, fmt.Errorf("delete messages: %w", err)
	}
	if _, err := e.db.EnqueueDeleteUpTo(ctx, id); err != nil {
		return n, fmt.Errorf("queue the delete on the server: %w", err)
	}
	e.kickOutbox()
	return n, nil
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
// (`pobox ack`, `pobox delete`). It stops at the first temporary failure,
// leaving that action and the later ones queued. It works without Start;
// should another process replay the same action at the same time, the
// server sees it twice, which is harmless for both kinds.
func (e *Engine) Flush(ctx context.Context) []Event {
	var out []Event
	e.drain(ctx, func(ev Event) { out = append(out, ev) })
	return out
}

// drain performs the waiting actions in order, reporting each result. It
// stops at the first temporary failure, so that order is kept, and reports
// whether to retry.
func (e *Engine) drain(ctx context.Context, report func(Event)) (retry bool) {
	items, err := e.db.Outbox(ctx)
	if err != nil {
		e.log.Warn("read the outbox", "err", err)
		return true
	}
	for _, it := range items {
		if ctx.Err() != nil {
			return false
		}
		act := actionOf(it)
		err := e.perform(ctx, it)
		switch {
		case err == nil:
			e.finish(ctx, it)
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
			return true
		default:
			// Refused for good (an expired or unknown receipt, say):
			// repeating it will not help. The emergency no longer
			// repeats, so it is marked acknowledged here all the same.
			e.finish(ctx, it)
			report(ActionFailed{Action: act, Err: err})
		}
	}
	return false
}

func (e *Engine) perform(ctx context.Context, it cache.OutboxItem) error {
	login := e.cfg.Login
	switch it.Kind {
	case cache.OutboxAck:
		return e.cfg.Client.Acknowledge(ctx, login.Secret, it.Receipt)
	case cache.OutboxDeleteUpTo:
		return e.cfg.Client.DeleteUpTo(ctx, login.Secret, login.DeviceID, it.UpToID)
	default:
		return fmt.Errorf("outbox item %d has unknown kind %q (written by a newer pobox?)", it.ID, it.Kind)
	}
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
