package session

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// MaxAttachment is the largest attachment Pushover accepts, in bytes.
const MaxAttachment = 5242880

// Attachment is one image to send with a message.
type Attachment struct {
	Name string // file name shown to the server
	Type string // MIME type, detected from the content
	Data []byte
}

// ReadAttachment reads an image file for SendRequest.Attachment. The size
// limit is checked before the file is read in full, and the MIME type is
// taken from the content, not the file name.
func ReadAttachment(path string) (*Attachment, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("session: attachment: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > MaxAttachment {
		return nil, attachmentTooLarge(path, fi.Size())
	}
	// The file may grow, or be a pipe: never read more than the limit.
	data, err := io.ReadAll(io.LimitReader(f, MaxAttachment+1))
	if err != nil {
		return nil, fmt.Errorf("session: attachment: %w", err)
	}
	if len(data) > MaxAttachment {
		return nil, attachmentTooLarge(path, int64(len(data)))
	}
	a := &Attachment{Name: filepath.Base(path), Type: http.DetectContentType(data), Data: data}
	if i := strings.IndexByte(a.Type, ';'); i >= 0 {
		a.Type = a.Type[:i]
	}
	return a, a.check()
}

func attachmentTooLarge(path string, size int64) error {
	return &LimitError{Field: "attachment", Msg: fmt.Sprintf("%s is %s; the limit is %s (%d bytes)",
		filepath.Base(path), megabytes(size), megabytes(MaxAttachment), MaxAttachment)}
}

// check applies the size limit and the image-only rule.
func (a *Attachment) check() error {
	if len(a.Data) == 0 {
		return &LimitError{Field: "attachment", Msg: fmt.Sprintf("%s is empty", a.Name)}
	}
	if len(a.Data) > MaxAttachment {
		return attachmentTooLarge(a.Name, int64(len(a.Data)))
	}
	if !strings.HasPrefix(a.Type, "image/") {
		return &LimitError{Field: "attachment", Msg: fmt.Sprintf("%s is %s; Pushover accepts only images (JPEG, PNG, GIF, ...)", a.Name, a.Type)}
	}
	return nil
}

func megabytes(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}
