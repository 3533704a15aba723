-- Counters for the status bar, one row per app, so that Counts reads about
-- 20 rows instead of counting 100,000. Ingest adds the rows it inserts (one
-- statement per app and batch; see ingest.go), triggers follow updates and
-- deletes. "unacked" is an
-- emergency (priority 2 with a receipt) not yet acknowledged; "ack_pending"
-- is the part of those whose acknowledgement waits in the outbox.
CREATE TABLE app_counts (
    app         TEXT PRIMARY KEY,
    total       INTEGER NOT NULL DEFAULT 0,
    unread      INTEGER NOT NULL DEFAULT 0,
    unacked     INTEGER NOT NULL DEFAULT 0,
    ack_pending INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TRIGGER app_counts_ad AFTER DELETE ON messages BEGIN
    UPDATE app_counts SET
        total       = total - 1,
        unread      = unread - (old.read = 0),
        unacked     = unacked - (old.priority = 2 AND old.acked = 0 AND old.receipt <> ''),
        ack_pending = ack_pending - (old.priority = 2 AND old.acked = 0 AND old.receipt <> '' AND old.ack_pending <> 0)
    WHERE app = old.app;
    DELETE FROM app_counts WHERE app = old.app AND total <= 0;
END;

-- An update is a delete of the old row's contribution and an insert of the
-- new one; it fires only when a counted column changes.
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

-- Count what an older schema already stored.
INSERT INTO app_counts (app, total, unread, unacked, ack_pending)
SELECT app, count(*), sum(read = 0),
       sum(priority = 2 AND acked = 0 AND receipt <> ''),
       sum(priority = 2 AND acked = 0 AND receipt <> '' AND ack_pending <> 0)
FROM messages GROUP BY app;
