package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// params are the request parameters of one call, whatever the encoding.
type params struct {
	url.Values
	file     []byte // the multipart "attachment" part, if any
	fileType string // its Content-Type
	hasFile  bool
}

// readParams reads the parameters of a request: the query string for GET;
// for POST the query string overlaid by a form, multipart or JSON body
// (pushover-api.md 0: POST bodies are form-encoded, multipart is accepted,
// the publisher API also takes JSON; the sandbox accepts all three on every
// POST endpoint).
func (s *Server) readParams(r *http.Request) (*params, error) {
	p := &params{Values: r.URL.Query()}
	if r.Method != http.MethodPost {
		return p, nil
	}
	ct, ctParams, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		if err := mergeJSON(p.Values, body); err != nil {
			return nil, err
		}
	case "multipart/form-data":
		if ctParams["boundary"] == "" {
			return nil, errors.New("multipart body without a boundary")
		}
		// Everything stays in memory: the body is already limited by MaxBody.
		if err := r.ParseMultipartForm(s.opts.MaxBody); err != nil {
			return nil, err
		}
		defer r.MultipartForm.RemoveAll()
		for k, vs := range r.MultipartForm.Value {
			p.Values[k] = vs
		}
		if fhs := r.MultipartForm.File["attachment"]; len(fhs) > 0 {
			f, err := fhs[0].Open()
			if err != nil {
				return nil, err
			}
			defer f.Close()
			if p.file, err = io.ReadAll(f); err != nil {
				return nil, err
			}
			p.fileType = fhs[0].Header.Get("Content-Type")
			p.hasFile = true
		}
	default:
		// Form-encoded, or no content type at all (curl -d sends the form
		// type; some clients send none).
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		vs, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		for k, v := range vs {
			p.Values[k] = v
		}
	}
	return p, nil
}

// mergeJSON overlays the fields of a JSON object: strings as they are,
// numbers as written, booleans as 1/0; null is skipped. Nested values are
// refused: no Pushover parameter takes them.
func mergeJSON(vs url.Values, body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return fmt.Errorf("JSON body: %w", err)
	}
	if dec.More() {
		return errors.New("JSON body: more than one value")
	}
	for k, v := range obj {
		switch v := v.(type) {
		case nil:
		case string:
			vs.Set(k, v)
		case json.Number:
			vs.Set(k, v.String())
		case bool:
			if v {
				vs.Set(k, "1")
			} else {
				vs.Set(k, "0")
			}
		default:
			return fmt.Errorf("JSON body: %q must be a string, number or boolean", clip(k, 40))
		}
	}
	return nil
}

// num is a numeric parameter without the ASCII whitespace around it. The
// real server's framework (Rails) casts " 12 " and "12\n" to 12; an Open
// Client that sends message=N\n (update_highest_message.json) would
// otherwise get HTTP 400 forever and never empty its queue. Blank is absent.
func (p *params) num(name string) string {
	return strings.Trim(p.Get(name), " \t\r\n\v\f")
}

// intParam parses an optional integer parameter into *dst; absent leaves
// dst alone. A bad value is recorded in e.
func (p *params) intParam(e *APIError, name string, dst *int) {
	v := p.num(name)
	if v == "" {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		e.add(name, name+" is invalid")
		return
	}
	*dst = n
}

// boolParam parses an optional 0/1 flag ("true"/"false" also accepted).
func (p *params) boolParam(e *APIError, name string, dst *bool) {
	switch p.num(name) {
	case "":
	case "1", "true":
		*dst = true
	case "0", "false":
		*dst = false
	default:
		e.add(name, name+" must be 0 or 1")
	}
}
