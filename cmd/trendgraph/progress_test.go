package main

import (
	"strings"
	"testing"
	"time"
)

// Off a terminal, a meter writes a line now and then with the stage, the count against its
// total, the rate and the time left, and one when a long stage ends; a short run writes nothing.
func TestMeterLinesOffATerminal(t *testing.T) {
	defer func(d time.Duration) { lineEvery = d }(lineEvery)
	lineEvery = 20 * time.Millisecond
	var out syncBuffer
	m := newMeter(&env{stderr: &out}, "import")
	m.begin("writing", "records", 1000)
	m.set(250)
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(out.String(), "import: writing 250/1000 records (25%)"); {
		if time.Now().After(deadline) {
			t.Fatalf("no progress line: %q", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	m.set(1000)
	m.end()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if first := lines[0]; !strings.Contains(first, "/s, about ") || !strings.Contains(first, " left, ") {
		t.Fatalf("a line without rate or time left: %q", first)
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "1000/1000 records (100%)") || !strings.HasSuffix(last, ", done") {
		t.Fatalf("the last line: %q", last)
	}

	lineEvery = time.Hour
	var quiet syncBuffer
	q := newMeter(&env{stderr: &quiet}, "gen")
	q.begin("writing", "bytes", -1)
	_, _ = q.writer(&strings.Builder{}).Write([]byte("data"))
	q.end()
	if quiet.String() != "" {
		t.Fatalf("a short run printed %q", quiet.String())
	}
}
