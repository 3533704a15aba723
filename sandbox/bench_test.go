package sandbox

import (
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// BenchmarkPublishToFrame measures a publisher's POST /1/messages.json to
// the '!' frame read by a websocket client, on loopback. Budget: p50 < 500 µs.
func BenchmarkPublishToFrame(b *testing.B) {
	e := newEnv(b, Options{KeepAlive: time.Hour, AppLimit: 1 << 30})
	d := e.newDevice("bench@example.com", "bench")
	token := e.s.AddApp("bench")
	c := e.online(d)
	body := url.Values{"token": {token}, "user": {d.user}, "message": {"benchmark message"}}.Encode()
	lat := make([]time.Duration, 0, b.N)

	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		resp, err := e.hc.Post(e.s.APIURL()+"/1/messages.json", "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("publish: HTTP %d", resp.StatusCode)
		}
		if f := nextFrame(b, c, '!'); f != '!' {
			b.Fatalf("frame %q", f)
		}
		lat = append(lat, time.Since(start))
		if i%1000 == 999 { // keep the queue short, as a syncing client would
			b.StopTimer()
			e.s.mu.Lock()
			dev := e.s.st.Devices[d.id]
			e.s.deleteUpToLocked(dev, dev.NextID)
			e.s.mu.Unlock()
			b.StartTimer()
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) / 1e3
	}
	b.ReportMetric(pct(0.50), "p50-us")
	b.ReportMetric(pct(0.99), "p99-us")
}
