package ui

import (
	"strconv"
	"time"
)

// timeLabelWidth is the width of the time column of a list row.
const timeLabelWidth = 6

// timeLabel is the list's time column: relative while recent ("now", "12m",
// "5h"), then the day ("Jan 02"), and for messages older than a year the
// month and year ("Mar'23"). It is never wider than timeLabelWidth.
func timeLabel(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return "now"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d < 365*24*time.Hour:
		return t.In(now.Location()).Format("Jan 02")
	default:
		return t.In(now.Location()).Format("Jan'06")
	}
}

// fullDate is the detail pane's date, in the clock's time zone.
func fullDate(t, now time.Time) string {
	return t.In(now.Location()).Format("Mon 2 Jan 2006 15:04:05 MST")
}

// ago says how long ago t was, for the status bar ("just now", "3m ago").
func ago(t, now time.Time) string {
	d := now.Sub(t)
	switch {
	case d < 10*time.Second:
		return "just now"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s ago"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m ago"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h ago"
	default:
		return t.In(now.Location()).Format("Jan 2 15:04")
	}
}

// priorityWords names a Pushover priority for people.
func priorityWords(p int) string {
	switch {
	case p <= -2:
		return "lowest (no alert)"
	case p == -1:
		return "low (quiet)"
	case p == 0:
		return "normal"
	case p == 1:
		return "high"
	default:
		return "emergency"
	}
}

// priorityChoice is one entry of the priority picker.
type priorityChoice struct {
	label string
	min   *int // nil: any priority
}

// priorityChoices are the minimum priorities the `p` picker offers.
func priorityChoices() []priorityChoice {
	at := func(p int) *int { return &p }
	return []priorityChoice{
		{"any priority", nil},
		{"low and above (-1)", at(-1)},
		{"normal and above (0)", at(0)},
		{"high and above (1)", at(1)},
		{"emergencies only (2)", at(2)},
	}
}

// plural returns "1 message" or "2 messages".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}
