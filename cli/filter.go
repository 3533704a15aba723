package cli

import (
	"context"

	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"pobox/cache"
)

// filterFlags are the message filters that list and watch share.
type filterFlags struct {
	app, priority, search, since, until string
	unread, unacked                     bool
}

// addFilterFlags registers the filters on cmd, with completions.
func addFilterFlags(a *app, cmd *cobra.Command) *filterFlags {
	ff := &filterFlags{}
	f := cmd.Flags()
	f.StringVar(&ff.app, "app", "", "only messages from the app with this `NAME`")
	f.StringVarP(&ff.priority, "priority", "p", "", "only messages with priority `N` (-2..2) or higher")
	f.StringVarP(&ff.search, "search", "s", "", "only messages containing every word of `TEXT` (prefixes match)")
	f.BoolVarP(&ff.unread, "unread", "u", false, "only unread messages")
	f.BoolVar(&ff.unacked, "unacked", false, "only emergencies not yet acknowledged")
	f.StringVar(&ff.since, "since", "", "only messages dated at or after `WHEN`: a duration back from now (2h, 3d, 1w) or a date (2026-12-01, RFC 3339)")
	f.StringVar(&ff.until, "until", "", "only messages dated before `WHEN` (same forms as --since)")
	_ = cmd.RegisterFlagCompletionFunc("app", completeApps(a))
	_ = cmd.RegisterFlagCompletionFunc("priority", cobra.FixedCompletions(
		[]string{"-2\tall", "-1\tquiet and up", "0\tnormal and up", "1\thigh and up", "2\temergencies"}, cobra.ShellCompDirectiveNoFileComp))
	for _, name := range []string{"search", "since", "until"} {
		_ = cmd.RegisterFlagCompletionFunc(name, cobra.NoFileCompletions)
	}
	return ff
}

// messageFilter is a cache filter plus the date range, which the cache's
// reads do not take: messages are read by id and their dates checked here.
type messageFilter struct {
	cache.Filter
	since, until time.Time // zero: open
}

// build checks the flags and returns the filter, dates resolved against now.
func (ff *filterFlags) build(now time.Time) (messageFilter, error) {
	mf := messageFilter{Filter: cache.Filter{App: ff.app, Search: ff.search, Unread: ff.unread, Unacked: ff.unacked}}
	if ff.priority != "" {
		p, err := strconv.Atoi(ff.priority)
		if err != nil || p < -2 || p > 2 {
			return mf, usageError("--priority must be a number from -2 to 2, not %q", ff.priority)
		}
		mf.MinPriority = cache.AtLeast(p)
	}
	var err error
	if mf.since, err = parseWhen(ff.since, now); err != nil {
		return mf, usageError("--since: %v", err)
	}
	if mf.until, err = parseWhen(ff.until, now); err != nil {
		return mf, usageError("--until: %v", err)
	}
	if !mf.since.IsZero() && !mf.until.IsZero() && !mf.since.Before(mf.until) {
		return mf, usageError("--since %s is not before --until %s", ff.since, ff.until)
	}
	return mf, nil
}

// inRange reports whether m's date is in [since, until).
func (mf messageFilter) inRange(m cache.Message) bool {
	t := m.Time()
	return (mf.since.IsZero() || !t.Before(mf.since)) && (mf.until.IsZero() || t.Before(mf.until))
}

// matches reports whether the stored message m matches the filter, asking
// the cache so that the search means exactly what it means for list.
func (mf messageFilter) matches(ctx context.Context, db *cache.DB, m cache.Message) (bool, error) {
	if !mf.inRange(m) {
		return false, nil
	}
	if mf.Filter == (cache.Filter{}) {
		return true, nil
	}
	ms, err := db.Older(ctx, mf.Filter, m.Key+1, 1)
	return err == nil && len(ms) == 1 && ms[0].Key == m.Key, err
}

// eachMessage calls fn for up to limit messages (0: all) matching mf,
// newest first, reading cache.MaxLimit rows at a time (keyset, constant
// memory).
func eachMessage(ctx context.Context, db *cache.DB, mf messageFilter, limit int, fn func(cache.Message) error) error {
	var before int64
	n := 0
	for {
		ms, err := db.Older(ctx, mf.Filter, before, cache.MaxLimit)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !mf.inRange(m) {
				continue
			}
			if err := fn(m); err != nil {
				return err
			}
			if n++; limit > 0 && n >= limit {
				return nil
			}
		}
		if len(ms) < cache.MaxLimit {
			return nil
		}
		before = ms[len(ms)-1].Key
	}
}

// parseWhen reads --since and --until: "" (none), a duration back from now
// (Go's units plus d for days and w for weeks: 90m, 2h, 3d, 1w), a date
// (2026-12-01, midnight local time), a local date and time
// (2026-12-01T15:04) or an RFC 3339 time.
func parseWhen(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, ok := parseAgo(s); ok {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02", "2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither a duration (2h, 3d, 1w) nor a date (2026-12-01, 2026-12-01T15:04:05Z)", s)
}

// parseAgo reads a non-negative duration with d and w allowed.
func parseAgo(s string) (time.Duration, bool) {
	for unit, size := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, unit); ok {
			v, err := strconv.ParseFloat(n, 64)
			if err != nil || v < 0 {
				return 0, false
			}
			return time.Duration(v * float64(size)), true
		}
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d >= 0
}
