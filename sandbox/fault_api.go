package sandbox

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// handleFault serves POST /sandbox/fault.json, an extension of the sandbox
// (Pushover has no such call): FaultNext from the command line, so that a
// person can watch a client ride out an outage. It takes an app's token,
// endpoint ("GET /1/messages.json", a path, or a route pattern), count (the
// requests to fail; 0 cancels the endpoint's faults), kind (status, hang,
// html, empty, truncate, reset, close, stall, slow; default status) and the
// kind's fields: status, delay (a Go duration such as "30s"), after, close
// (1 or true), rate.
func (s *Server) handleFault(w http.ResponseWriter, r *http.Request, _ []string) {
	p, err := s.readParams(r)
	if err != nil {
		s.failParse(w, err)
		return
	}
	if !s.knownApp(p.Get("token")) {
		s.failAPI(w, errToken())
		return
	}
	endpoint := strings.TrimSpace(p.Get("endpoint"))
	if endpoint == "" {
		s.fail(w, http.StatusBadRequest, `endpoint is missing: a path such as "GET /1/messages.json"`)
		return
	}
	n, f, err := parseFault(p)
	if err != nil {
		s.fail(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.FaultNext(endpoint, n, f); err != nil {
		s.fail(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), "sandbox: "))
		return
	}
	s.log.note("fault: next %d of %s: %v", max(n, 0), endpoint, f.Kind)
	s.reply(w, http.StatusOK, map[string]any{"pending": s.PendingFaults()})
}

// parseFault reads count and the Fault of a /sandbox/fault.json request.
func parseFault(p *params) (int, Fault, error) {
	f := Fault{Kind: FaultStatus}
	n := 1
	num := func(name string, dst *int) error {
		if v := p.num(name); v != "" {
			i, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%s must be a whole number", name)
			}
			*dst = i
		}
		return nil
	}
	for name, dst := range map[string]*int{"count": &n, "status": &f.Status, "after": &f.After, "rate": &f.Rate} {
		if err := num(name, dst); err != nil {
			return 0, f, err
		}
	}
	if k := strings.TrimSpace(p.Get("kind")); k != "" {
		f.Kind = 0
		for kind, name := range faultNames {
			if name == k {
				f.Kind = kind
			}
		}
		if f.Kind == 0 {
			return 0, f, fmt.Errorf("kind %q is unknown: use status, hang, html, empty, truncate, reset, close, stall or slow", k)
		}
	}
	if f.Kind == FaultStatus && f.Status == 0 {
		f.Status = http.StatusInternalServerError
	}
	if v := strings.TrimSpace(p.Get("delay")); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return 0, f, fmt.Errorf("delay must be a duration such as 30s")
		}
		f.Delay = d
	}
	if v := strings.TrimSpace(p.Get("close")); v != "" {
		c, err := strconv.ParseBool(v)
		if err != nil {
			return 0, f, fmt.Errorf("close must be 1 or 0")
		}
		f.Close = c
	}
	return n, f, nil
}
