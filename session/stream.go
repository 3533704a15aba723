package session

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// maxStream bounds a streamed download. Far above any real queue (a
// Pushover message is at most a few KiB), it only stops a server that
// never ends its reply.
const maxStream = 1 << 30

// errMalformed reports a reply that is not Pushover's JSON.
var errMalformed = errors.New("the reply is not Pushover's JSON")

// callerError carries an error returned by the caller's batch function
// out of a download: it ends the download and is never retried.
type callerError struct{ err error }

func (e *callerError) Error() string { return e.err.Error() }
func (e *callerError) Unwrap() error { return e.err }

// decodeMessages reads a messages.json reply as it arrives and hands its
// messages to fn in batches of at most n, so that memory holds one batch
// whatever the size of the queue. It returns the reply's common fields,
// which may come after the messages. Unknown keys are skipped.
func decodeMessages(r io.Reader, n int, fn func([]Message) error) (reply, error) {
	var rep reply
	body := &readTracker{r: io.LimitReader(r, maxStream)}
	dec := json.NewDecoder(body)
	readError := body.classify
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return rep, readError(cmp.Or(err, errMalformed))
	}
	batch := make([]Message, 0, n)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := fn(batch); err != nil {
			return &callerError{err}
		}
		batch = make([]Message, 0, n) // fn may keep the slice
		return nil
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return rep, readError(err)
		}
		switch key, _ := t.(string); key {
		case "messages":
			if err := eachElement(dec, readError, func() error {
				var w wireMessage
				if err := dec.Decode(&w); err != nil {
					var te *json.UnmarshalTypeError
					if errors.As(err, &te) {
						// Not an object at all: nothing to store, and
						// the decoder is past it. The delete of a later
						// message covers it.
						return nil
					}
					return readError(err)
				}
				batch = append(batch, w.message())
				if len(batch) < n {
					return nil
				}
				return flush()
			}); err != nil {
				return rep, err
			}
		case "status", "request", "errors":
			// A common field of an odd type is left unset rather than
			// refusing the reply: the messages beside it still count.
			var raw json.RawMessage
			if err = dec.Decode(&raw); err == nil {
				switch key {
				case "status":
					_ = json.Unmarshal(raw, &rep.Status)
				case "request":
					_ = json.Unmarshal(raw, &rep.Request)
				default:
					_ = json.Unmarshal(raw, &rep.Errors)
				}
			}
		default:
			var skip json.RawMessage
			err = dec.Decode(&skip)
		}
		if err != nil {
			return rep, readError(err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return rep, readError(err)
	}
	rep.Request = cleanText(rep.Request)
	return rep, flush()
}

// eachElement calls fn for every element of the array (or null) that dec
// is at; fn decodes the element.
func eachElement(dec *json.Decoder, readError func(error) error, fn func() error) error {
	t, err := dec.Token()
	if err != nil {
		return readError(err)
	}
	if t == nil { // "messages": null
		return nil
	}
	if t != json.Delim('[') {
		return readError(fmt.Errorf("%w: messages is not a list", errMalformed))
	}
	for dec.More() {
		if err := fn(); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return readError(err)
}

// readTracker remembers the last failure of the connection, so that a
// broken connection (retried) is told apart from a malformed reply.
type readTracker struct {
	r   io.Reader
	err error
}

func (t *readTracker) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF {
		t.err = err
	}
	return n, err
}

// classify turns a decoding error into the connection's failure, a reply
// cut off (io.ErrUnexpectedEOF), or errMalformed.
func (t *readTracker) classify(err error) error {
	switch {
	case err == nil:
		return nil
	case t.err != nil:
		return t.err
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return io.ErrUnexpectedEOF
	case errors.Is(err, errMalformed):
		return err
	}
	return fmt.Errorf("%w: %v", errMalformed, err)
}
