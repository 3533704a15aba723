-- Messages as downloaded from Pushover, plus local state.
--
-- id is the rowid: Pushover's per-device id increases with every message, so
-- newest-first is ORDER BY id DESC and a keyset cursor is one id. Optional
-- wire fields are stored as '' or 0 rather than NULL so that comparisons in
-- triggers and filters stay simple.
CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    umid            INTEGER NOT NULL DEFAULT 0,
    title           TEXT    NOT NULL DEFAULT '',
    message         TEXT    NOT NULL DEFAULT '',
    app             TEXT    NOT NULL DEFAULT '',
    aid             INTEGER NOT NULL DEFAULT 0,
    icon            TEXT    NOT NULL DEFAULT '',
    date            INTEGER NOT NULL DEFAULT 0,
    queued_date     INTEGER NOT NULL DEFAULT 0,
    dispatched_date INTEGER NOT NULL DEFAULT 0,
    priority        INTEGER NOT NULL DEFAULT 0,
    sound           TEXT    NOT NULL DEFAULT '',
    url             TEXT    NOT NULL DEFAULT '',
    url_title       TEXT    NOT NULL DEFAULT '',
    acked           INTEGER NOT NULL DEFAULT 0,
    receipt         TEXT    NOT NULL DEFAULT '',
    html            INTEGER NOT NULL DEFAULT 0,
    monospace       INTEGER NOT NULL DEFAULT 0,
    -- local state
    read            INTEGER NOT NULL DEFAULT 0,
    ack_pending     INTEGER NOT NULL DEFAULT 0,
    stored_at       INTEGER NOT NULL DEFAULT 0 -- Unix milliseconds
);

-- One index per list filter, each ending in id so that a filtered page is
-- still a keyset range scan in id order. The partial indexes stay small:
-- only unread rows and only emergencies still waiting for an acknowledgement.
CREATE INDEX messages_app      ON messages (app, id);
CREATE INDEX messages_priority ON messages (priority, id);
CREATE INDEX messages_unread   ON messages (id) WHERE read = 0;
CREATE INDEX messages_app_unread ON messages (app, id) WHERE read = 0;
CREATE INDEX messages_unacked  ON messages (id) WHERE priority = 2 AND acked = 0 AND receipt <> '';
CREATE INDEX messages_receipt  ON messages (receipt) WHERE receipt <> '';

-- Messages deleted locally one by one. Delete-up-to is a watermark in meta
-- instead, and prunes the tombstones below it. receipt lets ingest drop an
-- older copy of a deleted emergency.
CREATE TABLE tombstones (
    id      INTEGER PRIMARY KEY,
    receipt TEXT NOT NULL DEFAULT ''
);
CREATE INDEX tombstones_receipt ON tombstones (receipt) WHERE receipt <> '';

-- The cache's own bookkeeping (deleted_upto, highest_seen).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;

-- Small key/value state for other packages (last sync time, ...).
CREATE TABLE state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Actions waiting for the server. AUTOINCREMENT: ids (the order) are never
-- reused, even after the newest item is removed.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL CHECK (kind IN ('ack', 'delete_upto')),
    receipt         TEXT    NOT NULL DEFAULT '',
    upto_id         INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL DEFAULT 0, -- Unix milliseconds
    last_attempt_at INTEGER NOT NULL DEFAULT 0  -- Unix milliseconds, 0 = never
);
