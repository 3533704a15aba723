-- Message ids are relative to a device (pushover-api.md 1.3): a newly
-- registered device starts at 1 again. So every message, watermark,
-- tombstone, "highest seen" mark and outbox action now belongs to a device,
-- and a message is identified by (device, id).
--
-- Each message gets a local key, its rowid, assigned in the order messages
-- are stored: within one device that is id order (downloads come in id
-- order and later downloads hold higher ids), and a later device's messages
-- come after an earlier device's. Lists are newest first by key and a
-- keyset cursor is one key. AUTOINCREMENT: a key is never reused, even
-- after the newest message is deleted, so "keys above K" always means
-- "stored after K" (followers rely on it).

-- The devices this cache has held messages for, numbered in the order they
-- were first used. device_id '' is a device whose Pushover id is not known
-- yet: the messages of a cache older than this schema whose device never
-- synced. The stored login claims it (DB.UseDevice).
CREATE TABLE devices (
    n                   INTEGER PRIMARY KEY,
    device_id           TEXT    NOT NULL DEFAULT '',
    name                TEXT    NOT NULL DEFAULT '',
    deleted_upto        INTEGER NOT NULL DEFAULT 0, -- local delete-up-to watermark
    highest_seen        INTEGER NOT NULL DEFAULT 0, -- highest id ever committed
    server_deleted_upto INTEGER NOT NULL DEFAULT 0, -- highest id deleted on Pushover
    backlog_done        INTEGER NOT NULL DEFAULT 0, -- the first download completed
    created_at          INTEGER NOT NULL DEFAULT 0  -- Unix milliseconds
);
CREATE UNIQUE INDEX devices_device_id ON devices (device_id) WHERE device_id <> '';

-- Every cached message belongs to the device of the stored login: the one
-- whose backlog the sync engine recorded, when it did.
INSERT INTO devices (n, device_id, deleted_upto, highest_seen, server_deleted_upto, backlog_done)
SELECT 1,
       coalesce((SELECT value FROM state WHERE key = 'sync.synced_device'), ''),
       coalesce((SELECT value FROM meta WHERE key = 'deleted_upto'), 0),
       coalesce((SELECT value FROM meta WHERE key = 'highest_seen'), 0),
       coalesce((SELECT CAST(value AS INTEGER) FROM state WHERE key = 'server_deleted_upto'), 0),
       EXISTS (SELECT 1 FROM state WHERE key = 'sync.synced_device')
WHERE EXISTS (SELECT 1 FROM messages) OR EXISTS (SELECT 1 FROM meta) OR EXISTS (SELECT 1 FROM outbox)
   OR EXISTS (SELECT 1 FROM tombstones) OR EXISTS (SELECT 1 FROM state WHERE key = 'sync.synced_device');

CREATE TABLE messages_v4 (
    key             INTEGER PRIMARY KEY AUTOINCREMENT,
    device          INTEGER NOT NULL,
    id              INTEGER NOT NULL,
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
    -- what could not be read of the message as the server sent it; '' when
    -- it decoded cleanly
    problem         TEXT    NOT NULL DEFAULT '',
    -- local state
    read            INTEGER NOT NULL DEFAULT 0,
    ack_pending     INTEGER NOT NULL DEFAULT 0,
    stored_at       INTEGER NOT NULL DEFAULT 0, -- Unix milliseconds
    UNIQUE (device, id)
);

-- The old id was the rowid: it becomes the key, so the full-text index
-- (docid = rowid) stays valid without a rebuild.
INSERT INTO messages_v4 (key, device, id, umid, title, message, app, aid, icon, date, queued_date,
    dispatched_date, priority, sound, url, url_title, acked, receipt, html, monospace, read, ack_pending, stored_at)
SELECT id, 1, id, umid, title, message, app, aid, icon, date, queued_date,
    dispatched_date, priority, sound, url, url_title, acked, receipt, html, monospace, read, ack_pending, stored_at
FROM messages;

-- Dropping the old table drops its indexes and triggers too.
DROP TABLE messages;
ALTER TABLE messages_v4 RENAME TO messages;

CREATE INDEX messages_app        ON messages (app, key);
CREATE INDEX messages_priority   ON messages (priority, key);
CREATE INDEX messages_unread     ON messages (key) WHERE read = 0;
CREATE INDEX messages_app_unread ON messages (app, key) WHERE read = 0;
CREATE INDEX messages_unacked    ON messages (key) WHERE priority = 2 AND acked = 0 AND receipt <> '';
CREATE INDEX messages_receipt    ON messages (receipt) WHERE receipt <> '';

CREATE TRIGGER messages_fts_bd BEFORE DELETE ON messages BEGIN
    DELETE FROM messages_fts WHERE docid = old.key;
END;

CREATE TRIGGER messages_fts_bu BEFORE UPDATE OF title, message, app, url_title ON messages
WHEN old.title IS NOT new.title OR old.message IS NOT new.message
  OR old.app IS NOT new.app OR old.url_title IS NOT new.url_title
BEGIN
    DELETE FROM messages_fts WHERE docid = old.key;
END;

CREATE TRIGGER messages_fts_au AFTER UPDATE OF title, message, app, url_title ON messages
WHEN old.title IS NOT new.title OR old.message IS NOT new.message
  OR old.app IS NOT new.app OR old.url_title IS NOT new.url_title
BEGIN
    INSERT INTO messages_fts (docid, title, message, app, url_title)
    VALUES (new.key, new.title, new.message, new.app, new.url_title);
END;

CREATE TRIGGER app_counts_ad AFTER DELETE ON messages BEGIN
    UPDATE app_counts SET
        total       = total - 1,
        unread      = unread - (old.read = 0),
        unacked     = unacked - (old.priority = 2 AND old.acked = 0 AND old.receipt <> ''),
        ack_pending = ack_pending - (old.priority = 2 AND old.acked = 0 AND old.receipt <> '' AND old.ack_pending <> 0)
    WHERE app = old.app;
    DELETE FROM app_counts WHERE app = old.app AND total <= 0;
END;

CREATE TRIGGER app_counts_au AFTER UPDATE OF app, read, priority, acked, receipt, ack_pending ON messages
WHEN old.app IS NOT new.app OR old.read IS NOT new.read OR old.priority IS NOT new.priority
  OR old.acked IS NOT new.acked OR old.receipt IS NOT new.receipt OR old.ack_pending IS NOT new.ack_pending
BEGIN
    UPDATE app_counts SET
        total       = total - 1,
        unread      = unread - (old.read = 0),
        unacked     = unacked - (old.priority = 2 AND old.acked = 0 AND old.receipt <> ''),
        ack_pending = ack_pending - (old.priority = 2 AND old.acked = 0 AND old.receipt <> '' AND old.ack_pending <> 0)
    WHERE app = old.app;
    INSERT INTO app_counts (app, total, unread, unacked, ack_pending)
    VALUES (new.app, 1, new.read = 0,
            new.priority = 2 AND new.acked = 0 AND new.receipt <> '',
            new.priority = 2 AND new.acked = 0 AND new.receipt <> '' AND new.ack_pending <> 0)
    ON CONFLICT (app) DO UPDATE SET
        total       = total + 1,
        unread      = unread + excluded.unread,
        unacked     = unacked + excluded.unacked,
        ack_pending = ack_pending + excluded.ack_pending;
    DELETE FROM app_counts WHERE app = old.app AND total <= 0;
END;

-- Messages deleted locally one by one, per device.
CREATE TABLE tombstones_v4 (
    device  INTEGER NOT NULL,
    id      INTEGER NOT NULL,
    receipt TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (device, id)
) WITHOUT ROWID;
INSERT INTO tombstones_v4 (device, id, receipt) SELECT 1, id, receipt FROM tombstones;
DROP TABLE tombstones;
ALTER TABLE tombstones_v4 RENAME TO tombstones;
CREATE INDEX tombstones_receipt ON tombstones (receipt) WHERE receipt <> '';

-- The outbox: each action belongs to the device that queued it. kind is not
-- checked any more: an action of a kind this version does not know (queued
-- by a newer pobox) is kept, not refused, so a downgrade loses nothing.
CREATE TABLE outbox_v4 (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL,
    device          INTEGER NOT NULL DEFAULT 0,
    receipt         TEXT    NOT NULL DEFAULT '',
    upto_id         INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL DEFAULT 0, -- Unix milliseconds
    last_attempt_at INTEGER NOT NULL DEFAULT 0  -- Unix milliseconds, 0 = never
);
INSERT INTO outbox_v4 (id, kind, device, receipt, upto_id, attempts, last_error, created_at, last_attempt_at)
SELECT id, kind, 1, receipt, upto_id, attempts, last_error, created_at, last_attempt_at FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_v4 RENAME TO outbox;

-- The per-device marks now live in devices. The backlog mark becomes a key
-- (keys kept the old ids' values).
INSERT INTO meta (key, value)
SELECT 'backlog_key', CAST(value AS INTEGER) FROM state WHERE key = 'sync.backlog_upto';
DELETE FROM meta WHERE key IN ('deleted_upto', 'highest_seen');
DELETE FROM state WHERE key IN ('sync.synced_device', 'server_deleted_upto', 'sync.backlog_upto');
