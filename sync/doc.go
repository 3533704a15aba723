// Package sync is pobox's background engine: it holds Pushover's websocket,
// downloads what the server announces, stores it in the cache and only then
// deletes it on the server, replays the actions taken offline, and lets
// several pobox processes share one cache.
//
// The name shadows the standard library's sync; importers alias it (for
// example inboxsync) and this package imports the standard one as stdsync.
//
// # Roles
//
// Every pobox process on a cache runs an Engine. One of them, the holder,
// owns an flock(2) on a file in the state directory; it alone keeps the
// websocket, syncs on '!' and replays the outbox. The others follow: they
// watch the database (cache.DB.Changed) and turn what the holder wrote into
// the same events, and their actions go into the cache's outbox for the
// holder to perform. A follower retries the lock twice a second, so when
// the holder exits or dies another process takes over within a second.
//
// # The walk of one message
//
// '!' (or a connect, or "sync now") asks the sync worker for a run. A run
// downloads the device's queue, ingests the whole batch in one transaction,
// and only after that commit asks the server to delete up to the highest
// id downloaded (server_delete = "after-sync"). A crash anywhere in between
// only repeats the download; the cache's upsert absorbs it. Runs never
// overlap: the request channel holds one pending run, so any number of '!'
// during a download cause exactly one more.
package sync
