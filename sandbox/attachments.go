package sandbox

import (
	"encoding/base64"
	"slices"
	"sync"
)

// Attachment is an image a publisher sent with a message. Open Clients
// never receive attachments (pushover-api.md 1.6); the sandbox keeps the
// latest ones so that tests of a publisher can check what arrived.
type Attachment struct {
	Request string // the request id of the message it came with
	Type    string // attachment_type, "" if not given
	Base64  bool   // sent as attachment_base64 rather than a multipart file
	Data    []byte // the image, decoded
}

// maxAttachmentsKept bounds the memory attachments take (5 MiB each at most).
const maxAttachmentsKept = 16

type attachmentLog struct {
	mu   sync.Mutex
	list []Attachment
}

// add records m's attachment, if it has one. m has been validated.
func (l *attachmentLog) add(request string, m Message) {
	a := Attachment{Request: request, Type: m.AttachmentType, Data: m.Attachment}
	if m.AttachmentBase64 != "" {
		b, err := base64.StdEncoding.DecodeString(m.AttachmentBase64)
		if err != nil {
			return
		}
		a.Data, a.Base64 = b, true
	}
	if len(a.Data) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.list) == maxAttachmentsKept {
		l.list = slices.Delete(l.list, 0, 1)
	}
	l.list = append(l.list, a)
}

// Attachments returns the latest attachments received, oldest first.
func (s *Server) Attachments() []Attachment {
	s.attachments.mu.Lock()
	defer s.attachments.mu.Unlock()
	return slices.Clone(s.attachments.list)
}
