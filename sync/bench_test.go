package sync

import (
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"testing"
	"time"

	"pobox/sandbox"
)

// BenchmarkPublishToStored measures the walk of one message on loopback:
// from the publisher's POST to the sandbox until the engine's Synced event
// for it (downloaded and committed to the cache). The delete on the server
// that follows is not part of it: syncs are serialised, so a publish
// made while the previous delete runs would wait for it; each one starts
// on an idle engine.
func BenchmarkPublishToStored(b *testing.B) {
	e := newEnv(b, sandbox.Options{KeepAlive: time.Hour, AppLimit: 1 << 30})
	db := e.openDB()
	en := e.startOnline(e.config(db))

	hc := &http.Client{}
	form := url.Values{"token": {e.token}, "user": {e.user}, "message": {"benchmark"}}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		resp, err := hc.PostForm(e.srv.APIURL()+"/1/messages.json", form)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("publish: HTTP %d", resp.StatusCode)
		}
		waitFor[Synced](e.t, en, func(s Synced) bool { return len(s.New) > 0 })
		lat = append(lat, time.Since(start))
		b.StopTimer()
		e.waitServer("the delete on the server", func() bool { return e.queueLen() == 0 })
		for !en.syncMu.TryLock() { // the run ends after its delete
			runtime.Gosched()
		}
		en.syncMu.Unlock()
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
