// Package sandbox is a local, faithful Pushover-compatible server: the Open
// Client REST API, the publisher REST API and the /push websocket, with the
// error shapes, limits and frames described in shared/pushover-api.md.
//
// Every integration test of pobox runs the real client against it on
// loopback, `pobox demo` runs on it, and `pobox sandbox` serves it to people
// and scripts. It imports no pobox package on purpose: it is an independent
// reference of the server, so that a misunderstanding of the protocol cannot
// hide in code shared by client and server.
//
// A test starts one with New, adds accounts (AddAccount, AddDemo), apps
// (AddApp) and publishes (Publish, or POST /1/messages.json), or queues a
// big backlog at once (QueueBulk, QueueBulkUser: a million messages in
// constant time and memory; QueueLen counts them); it can inject
// faults (FaultNext: a JSON error, a hang, a proxy's HTML page, an empty
// body, a reply cut off, a reset or closed connection, a stall, a slow but
// steady stream; FailNext and HangNext are its first two), drop websockets
// (DropWebsockets), send raw frames (SendFrame, Reload), stop keep-alives
// (SetKeepAlive), and read the state (Devices, Device, Receipt, Requests, and WebsocketLogins, which
// keeps each login frame's type and bytes as received), waiting for
// conditions with Wait, WaitOnline and WaitLogins rather than sleeping.
// People and scripts reach two of these over HTTP, as the sandbox's own
// extensions: POST /sandbox/queue.json (QueueBulkUser) and POST
// /sandbox/fault.json (FaultNext).
//
// As a stricter reference than the real server, it logs each delete-up-to
// (removed, left, and the highest id a download offered) and counts the
// deletes above every id offered (Device.DeletesAboveSent): Pushover
// accepts them, but they drop messages the client never downloaded.
//
// Where pushover-api.md says "unconfirmed", the sandbox behaves as a careful
// server would and says so beside the code. In short:
//
//   - Bad e-mail or password: HTTP 400, errors ["invalid email and/or
//     password"]. Missing or wrong two-factor code: HTTP 412.
//   - A new login mints a new secret; older secrets stay valid.
//   - Bad secret or device id on the Open Client endpoints: HTTP 400 with an
//     errors array (devices.json: errors.secret).
//   - Message ids are relative to the device: each device numbers its
//     messages from Options.FirstID; the umid of one message is the same on
//     every device. State files of the global counter are migrated.
//   - Emergency repeats: a new copy with a new id, the same receipt and umid,
//     every retry seconds, at most 50 deliveries, until acknowledged,
//     cancelled or expired; acknowledging marks every copy acked=1 and sends
//     '!' to the other devices holding one.
//   - Acknowledging an acknowledged receipt succeeds and changes nothing.
//     Acknowledging an expired or cancelled one succeeds too, but the
//     receipt stays expired or cancelled and unacknowledged (no callback,
//     copies keep acked=0). Cancelling an ended receipt changes nothing.
//   - A failed websocket login gets 'E' and a close frame (code 1008).
//   - messages.json: the default sound is sent as "po"; monospace=1 is sent
//     when set.
//   - A publish to a user without devices succeeds and reaches nobody; one
//     naming only devices that do not exist is 400 with "device":"invalid".
//   - The allowance is counted per app (X-Limit-App-*), one per user reached.
package sandbox
