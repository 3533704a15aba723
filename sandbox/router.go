package sandbox

import (
	"net/http"
	"sort"
	"strings"
)

// handler serves one endpoint; params holds the path wildcards in order.
type handler func(w http.ResponseWriter, r *http.Request, params []string)

// route is one endpoint. The standard ServeMux cannot express Pushover's
// paths ("{receipt}.json" is not a whole segment) and answers wrong methods
// in plain text, so the sandbox routes itself and always answers in JSON.
type route struct {
	pattern string // e.g. "/1/receipts/{receipt}.json"; FailNext may name it
	segs    []segment
	methods map[string]handler
}

// segment is one path segment of a pattern: a literal, or a wildcard with
// a literal prefix and suffix ("{receipt}.json").
type segment struct {
	lit            string
	wild           bool
	prefix, suffix string
}

func newRoute(pattern string, methods map[string]handler) *route {
	rt := &route{pattern: pattern, methods: methods}
	for _, p := range strings.Split(pattern, "/") {
		i, j := strings.IndexByte(p, '{'), strings.IndexByte(p, '}')
		if i < 0 || j < i {
			rt.segs = append(rt.segs, segment{lit: p})
			continue
		}
		rt.segs = append(rt.segs, segment{wild: true, prefix: p[:i], suffix: p[j+1:]})
	}
	return rt
}

// allow lists the route's methods for the Allow header.
func (rt *route) allow() string {
	ms := make([]string, 0, len(rt.methods))
	for m := range rt.methods {
		ms = append(ms, m)
	}
	sort.Strings(ms)
	return strings.Join(ms, ", ")
}

func (rt *route) match(parts []string) ([]string, bool) {
	if len(parts) != len(rt.segs) {
		return nil, false
	}
	var params []string
	for i, sg := range rt.segs {
		p := parts[i]
		if !sg.wild {
			if p != sg.lit {
				return nil, false
			}
			continue
		}
		if len(p) <= len(sg.prefix)+len(sg.suffix) || !strings.HasPrefix(p, sg.prefix) || !strings.HasSuffix(p, sg.suffix) {
			return nil, false
		}
		params = append(params, p[len(sg.prefix):len(p)-len(sg.suffix)])
	}
	return params, true
}

// match finds the route of a path; earlier routes win.
func (s *Server) match(path string) (*route, []string) {
	parts := strings.Split(path, "/")
	for _, rt := range s.routes {
		if params, ok := rt.match(parts); ok {
			return rt, params
		}
	}
	return nil, nil
}

func (s *Server) buildRoutes() []*route {
	get := http.MethodGet
	post := http.MethodPost
	return []*route{
		// Open Client API (pushover-api.md section 1).
		newRoute("/1/users/login.json", map[string]handler{post: s.handleLogin}),
		newRoute("/1/devices.json", map[string]handler{post: s.handleRegister}),
		newRoute("/1/messages.json", map[string]handler{get: s.handleDownload, post: s.handlePublish}),
		newRoute("/1/devices/{device}/update_highest_message.json", map[string]handler{post: s.handleDeleteUpTo}),
		// cancel_by_tag comes before {receipt}/cancel.json, which would
		// also match a tag named "cancel".
		newRoute("/1/receipts/cancel_by_tag/{tag}.json", map[string]handler{post: s.handleCancelByTag}),
		newRoute("/1/receipts/{receipt}/acknowledge.json", map[string]handler{post: s.handleAcknowledge}),
		newRoute("/1/receipts/{receipt}/cancel.json", map[string]handler{post: s.handleCancel}),
		newRoute("/1/receipts/{receipt}.json", map[string]handler{get: s.handleReceipt}),
		// Publisher extras (section 3).
		newRoute("/1/sounds.json", map[string]handler{get: s.handleSounds}),
		newRoute("/1/users/validate.json", map[string]handler{post: s.handleValidate}),
		newRoute("/1/apps/limits.json", map[string]handler{get: s.handleLimits}),
		// Websocket (section 2).
		newRoute("/push", map[string]handler{get: s.handlePush}),
		// The sandbox's own extensions, for trying things out.
		newRoute("/sandbox/queue.json", map[string]handler{post: s.handleQueueBulk}),
		newRoute("/sandbox/fault.json", map[string]handler{post: s.handleFault}),
	}
}
