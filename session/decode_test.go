package session

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestDecodeReplyErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		msgs    []string
		fields  map[string][]string
		invalid []string
	}{
		{"Array", `{"status":0,"request":"r1","errors":["user identifier is invalid","x"]}`,
			[]string{"user identifier is invalid", "x"}, nil, nil},
		{"Object", `{"errors":{"name":["has already been taken"]},"status":0,"request":"b3e8"}`,
			[]string{"name has already been taken"}, map[string][]string{"name": {"has already been taken"}}, nil},
		{"ObjectOfStrings", `{"errors":{"secret":"is invalid","a":["x","y"]},"status":0}`,
			[]string{"a x", "a y", "secret is invalid"}, map[string][]string{"secret": {"is invalid"}, "a": {"x", "y"}}, nil},
		{"String", `{"errors":"something broke","status":0}`, []string{"something broke"}, nil, nil},
		{"InvalidMarker", `{"user":"invalid","token":"invalid","errors":["user identifier is invalid"],"status":0}`,
			[]string{"user identifier is invalid"}, nil, []string{"token", "user"}},
		{"NullErrors", `{"errors":null,"status":0}`, nil, nil, nil},
		{"ControlCharsStripped", `{"errors":["bad \u001b[31mred\u001b[0m\nline"],"status":0}`,
			[]string{"bad [31mred[0mline"}, nil, nil},
		{"UnknownFieldsIgnored", `{"status":0,"errors":["e"],"whatever":{"deep":[1,2]}}`, []string{"e"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := decodeReply([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(r.Errors.Msgs, tt.msgs) {
				t.Errorf("msgs %q, want %q", r.Errors.Msgs, tt.msgs)
			}
			if tt.fields != nil && !reflect.DeepEqual(r.Errors.Fields, tt.fields) {
				t.Errorf("fields %v, want %v", r.Errors.Fields, tt.fields)
			}
			if !reflect.DeepEqual(r.invalid, tt.invalid) {
				t.Errorf("invalid %q, want %q", r.invalid, tt.invalid)
			}
		})
	}
}

func TestFlexInt(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{`1`, 1, false}, {`"1"`, 1, false}, {`""`, 0, false}, {`null`, 0, false},
		{`true`, 1, false}, {`false`, 0, false}, {`9007199254740993`, 9007199254740993, false},
		{`"9007199254740993"`, 9007199254740993, false}, {`1.0`, 1, false},
		{`1.5`, 0, true}, {`"abc"`, 0, true}, {`1e300`, 0, true},
	}
	for _, tt := range tests {
		var n flexInt
		err := json.Unmarshal([]byte(tt.in), &n)
		if (err != nil) != tt.wantErr || (!tt.wantErr && int64(n) != tt.want) {
			t.Errorf("%s: got %d, %v; want %d, err %v", tt.in, n, err, tt.want, tt.wantErr)
		}
	}
}

func TestWireMessage(t *testing.T) {
	const big = int64(1<<53 + 1)
	tests := []struct {
		name string
		body string
		want Message
	}{
		{"Full", `{"id":12,"id_str":"12","umid":502550228871720147,"umid_str":"502550228871720147",
			"title":"Backup finished","message":"took 16 minutes.","app":"Backups",
			"aid":435443636951759403,"aid_str":"435443636951759403","icon":"mnsw2ykc6qa5sbn",
			"date":1631773887,"queued_date":1631773893,"dispatched_date":1631773894,"priority":2,
			"sound":"po","acked":1,"url":"https://example.com/","url_title":"Open","receipt":"r",
			"html":1,"monospace":0,"subscription":{"x":1}}`,
			Message{ID: 12, UMID: 502550228871720147, Title: "Backup finished", Message: "took 16 minutes.",
				App: "Backups", AID: 435443636951759403, Icon: "mnsw2ykc6qa5sbn", Date: time.Unix(1631773887, 0),
				QueuedDate: time.Unix(1631773893, 0), DispatchedDate: time.Unix(1631773894, 0), Priority: 2,
				Sound: "po", Acked: true, URL: "https://example.com/", URLTitle: "Open", Receipt: "r", HTML: true}},
		{"MissingTitleIsApp", `{"id":1,"message":"m","app":"Cron","icon":null,"monospace":1}`,
			Message{ID: 1, Title: "Cron", Message: "m", App: "Cron", Monospace: true}},
		{"IDStrWinsOverFloat", `{"id":9.007199254740992e15,"id_str":"9007199254740993","app":"a"}`,
			Message{ID: big, Title: "a", App: "a"}},
		{"IDAsString", `{"id":"9007199254740993","app":"a"}`, Message{ID: big, Title: "a", App: "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w wireMessage
			if err := json.Unmarshal([]byte(tt.body), &w); err != nil {
				t.Fatal(err)
			}
			if got := w.message(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestCleanTextBounds(t *testing.T) {
	long := make([]rune, 1000)
	for i := range long {
		long[i] = 'é'
	}
	if got := []rune(cleanText(string(long))); len(got) != maxServerText+1 {
		t.Errorf("length %d, want %d", len(got), maxServerText+1)
	}
}
