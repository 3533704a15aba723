-- Full-text index over title, message, app and url_title (FTS4; doc.go says
-- why not FTS5). External content: the text lives only in messages, the index
-- holds tokens. order=DESC stores doclists newest first, the order every
-- search reads. unicode61 with remove_diacritics=2 folds case and accents.
CREATE VIRTUAL TABLE messages_fts USING fts4(
    content="messages",
    title, message, app, url_title,
    order=DESC,
    tokenize=unicode61 "remove_diacritics=2"
);

-- Keep the index in step with messages. New messages are indexed by Ingest
-- itself, after all rows of a batch are in (see ingest.go: an INSERT
-- trigger would make FTS4 write one index segment per message, several
-- times slower). Updates and deletes use the triggers below. An
-- external-content FTS4 table reads the old text from messages to remove
-- it, so removal runs BEFORE the change. The UPDATE triggers fire only when
-- an indexed column really changes: a read/unread toggle or an
-- acknowledgement must not re-index the message.
CREATE TRIGGER messages_fts_bd BEFORE DELETE ON messages BEGIN
    DELETE FROM messages_fts WHERE docid = old.id;
END;

CREATE TRIGGER messages_fts_bu BEFORE UPDATE OF title, message, app, url_title ON messages
WHEN old.title IS NOT new.title OR old.message IS NOT new.message
  OR old.app IS NOT new.app OR old.url_title IS NOT new.url_title
BEGIN
    DELETE FROM messages_fts WHERE docid = old.id;
END;

CREATE TRIGGER messages_fts_au AFTER UPDATE OF title, message, app, url_title ON messages
WHEN old.title IS NOT new.title OR old.message IS NOT new.message
  OR old.app IS NOT new.app OR old.url_title IS NOT new.url_title
BEGIN
    INSERT INTO messages_fts (docid, title, message, app, url_title)
    VALUES (new.id, new.title, new.message, new.app, new.url_title);
END;

-- Index whatever an older schema already stored.
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
