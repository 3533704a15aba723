package sync

import (
	"context"

	"pobox/cache"
)

// stateLogin is the Pushover device id of the login last stored for this
// cache (the session file). An engine started with another login ends
// (EndReplaced): left running, a daemon would go on holding the websocket,
// downloading and deleting for the device the user left, while nothing
// downloads for the new one.
const stateLogin = "sync.login"

// SetLogin records deviceID as the login now stored for the cache db:
// engines of any other device end. `pobox login` and every command that
// opens the cache with a stored login call it.
func SetLogin(ctx context.Context, db *cache.DB, deviceID string) error {
	if raw, ok, err := db.State(ctx, stateLogin); err == nil && ok && raw == deviceID {
		return nil // no write, so no change for the other processes to look at
	}
	return db.SetState(ctx, stateLogin, deviceID)
}

// loginCurrent reports whether this engine's login is the one stored for
// the cache (or none was ever recorded), and ends the session when not.
func (e *Engine) loginCurrent(ctx context.Context) bool {
	raw, ok, err := e.db.State(ctx, stateLogin)
	if err != nil || !ok || raw == e.cfg.Login.DeviceID {
		return true
	}
	e.endSession(ctx, EndReplaced)
	return false
}
