package sandbox

import (
	"encoding/json"
	"fmt"
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

// BenchmarkDownload measures GET /1/messages.json of a big queue (made by
// QueueBulk) with a plain HTTP client: "read" only reads the bytes, as
// fast as loopback allows; "decode" also decodes message by message, as a
// streaming client does. Reported: messages/s and MB/s of the reply.
func BenchmarkDownload(b *testing.B) {
	for _, n := range []int{10_000, 1_000_000} {
		for _, mode := range []string{"read", "decode"} {
			b.Run(fmt.Sprintf("%s/%d", mode, n), func(b *testing.B) {
				e := newEnv(b, Options{FirstID: 1<<53 + 1})
				d := e.newDevice("bench@example.com", "bench")
				if _, err := e.s.QueueBulk(d.id, n, Message{Title: "Backup finished", Message: "Database backup took 16 minutes.",
					URL: "https://example.com/", URLTitle: "Open"}); err != nil {
					b.Fatal(err)
				}
				u := e.s.APIURL() + "/1/messages.json?" + url.Values{"secret": {d.secret}, "device_id": {d.id}}.Encode()
				var size int64
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					resp, err := e.hc.Get(u)
					if err != nil {
						b.Fatal(err)
					}
					var got int
					if mode == "read" {
						size, err = io.Copy(io.Discard, resp.Body)
						got = n
					} else {
						cr := &countingReader{r: resp.Body}
						got, err = decodeMessages(cr)
						size = cr.n
					}
					resp.Body.Close()
					if err != nil || got != n {
						b.Fatalf("%d messages of %d: %v", got, n, err)
					}
				}
				b.StopTimer()
				sec := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(float64(n)/sec, "messages/s")
				b.ReportMetric(float64(size)/sec/1e6, "MB/s")
				b.ReportMetric(float64(size)/1e6, "MB")
			})
		}
	}
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// decodeMessages reads a download reply as a streaming client would: one
// message at a time, never the whole array.
func decodeMessages(r io.Reader) (int, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return 0, err
		}
		if tok == "messages" {
			break
		}
	}
	if _, err := dec.Token(); err != nil { // [
		return 0, err
	}
	n := 0
	for dec.More() {
		var m ClientMessage
		if err := dec.Decode(&m); err != nil {
			return n, err
		}
		n++
	}
	_, err := dec.Token() // ]
	return n, err
}
