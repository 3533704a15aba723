package sandbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
)

// GET /1/messages.json, pushover-api.md 1.3. The reply is streamed, one
// message at a time, so that a queue of a million messages costs neither a
// slice of a million nor one buffer of hundreds of megabytes; the bytes are
// those json.Encoder would write for the whole reply.

// downloadUser and downloadDevice mirror the undocumented objects of a real
// reply, so that clients are tested against their presence.
type downloadUser struct {
	QuietHours        bool   `json:"quiet_hours"`
	IsAndroidLicensed bool   `json:"is_android_licensed"`
	IsIOSLicensed     bool   `json:"is_ios_licensed"`
	IsDesktopLicensed bool   `json:"is_desktop_licensed"`
	Email             string `json:"email"`
	CreatedAt         int64  `json:"created_at"`
	FirstEmailAlias   string `json:"first_email_alias"`
	ShowTeamAd        string `json:"show_team_ad"`
}

type downloadDevice struct {
	Name                              string `json:"name"`
	EncryptionEnabled                 bool   `json:"encryption_enabled"`
	DefaultSound                      string `json:"default_sound"`
	AlwaysUseDefaultSound             bool   `json:"always_use_default_sound"`
	DefaultHighPrioritySound          string `json:"default_high_priority_sound"`
	AlwaysUseDefaultHighPrioritySound bool   `json:"always_use_default_high_priority_sound"`
	DismissalSyncEnabled              bool   `json:"dismissal_sync_enabled"`
}

// handleDownload serves GET /1/messages.json: the device's whole queue in
// ascending id order. Downloading removes nothing.
func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request, _ []string) {
	q := r.URL.Query()
	s.mu.Lock()
	acc, d, msg := s.accountDeviceLocked(q.Get("secret"), q.Get("device_id"))
	if msg != "" {
		s.mu.Unlock()
		s.fail(w, http.StatusBadRequest, msg)
		return
	}
	d.prune(s.now().Unix())
	// The runs as they are now: later publishes and deletes do not change
	// a reply being written, and the lock is not held while writing.
	runs := slices.Clone(d.Queue)
	if len(runs) > 0 {
		d.HighestSent = max(d.HighestSent, runs[len(runs)-1].lastID())
	}
	user := downloadUser{
		IsDesktopLicensed: true, Email: acc.Email, CreatedAt: acc.CreatedAt,
		FirstEmailAlias: acc.UserKey + "@pomail.net", ShowTeamAd: "1",
	}
	dev := downloadDevice{Name: d.Name, DefaultSound: "po", DefaultHighPrioritySound: "po"}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 32<<10)
	if writeMessages(bw, runs, r) != nil {
		// The client went away, the server is closing, or a fault cut
		// the reply: drop the connection, so that no client mistakes
		// what it got for a whole reply ending early.
		if a, ok := w.(aborter); ok {
			a.abort(false)
		}
		return
	}
	tail, _ := marshal(struct {
		User    downloadUser   `json:"user"`
		Device  downloadDevice `json:"device"`
		Status  int            `json:"status"`
		Request string         `json:"request"`
	}{user, dev, 1, newRequestID()})
	bw.WriteString(`,`)
	bw.Write(tail[1:]) // without its '{': the object continues
	bw.WriteString("\n")
	bw.Flush()
}

// aborter is a ResponseWriter that can drop its connection mid-reply:
// recorder and faultWriter.
type aborter interface{ abort(reset bool) }

// writeMessages writes `{"messages":[...]` message by message.
func writeMessages(bw *bufio.Writer, runs []queued, r *http.Request) error {
	bw.WriteString(`{"messages":[`)
	var buf []byte
	sent := 0
	for i := range runs {
		q := &runs[i]
		rest, ok := messageRest(q.Msg)
		for k := range q.n() {
			buf = buf[:0]
			if sent > 0 {
				buf = append(buf, ',')
			}
			if ok {
				buf = appendIDs(buf, q.Msg.ID+k, q.Msg.UMID+k)
				buf = append(buf, rest...)
			} else {
				one, _ := marshal(q.copyAt(k))
				buf = append(buf, one...)
			}
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			// A reader that keeps up would keep the handler going after
			// Close has begun; look at the request now and then.
			if sent++; sent%1024 == 0 && r.Context().Err() != nil {
				return r.Context().Err()
			}
		}
	}
	_, err := bw.WriteString(`]`)
	return err
}

// idsPrefix is how json.Encoder begins a ClientMessage whose ids are zero.
const idsPrefix = `{"id":0,"id_str":"","umid":0,"umid_str":""`

// messageRest is the JSON of m after its four id fields (`,"title":...}`),
// shared by every copy of a run. ok is false if ClientMessage no longer
// starts with those fields; the caller then encodes each copy whole.
func messageRest(m ClientMessage) (rest []byte, ok bool) {
	m.ID, m.IDStr, m.UMID, m.UMIDStr = 0, "", 0, ""
	b, err := marshal(m)
	if err != nil || !bytes.HasPrefix(b, []byte(idsPrefix)) {
		return nil, false
	}
	return b[len(idsPrefix):], true
}

func appendIDs(buf []byte, id, umid int64) []byte {
	buf = append(buf, `{"id":`...)
	buf = strconv.AppendInt(buf, id, 10)
	buf = append(buf, `,"id_str":"`...)
	buf = strconv.AppendInt(buf, id, 10)
	buf = append(buf, `","umid":`...)
	buf = strconv.AppendInt(buf, umid, 10)
	buf = append(buf, `,"umid_str":"`...)
	buf = strconv.AppendInt(buf, umid, 10)
	return append(buf, '"')
}

// marshal encodes v as writeJSON does (no HTML escaping), without the
// encoder's trailing newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
