package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/trendgraph/trendgraph/store"
)

// meter shows how far a long command has come, on standard error: on a terminal a bar with
// counts, rate and time left (github.com/schollz/progressbar), redrawn in place; elsewhere (a
// log, CI) a line every lineEvery, so that short runs print nothing extra. The work goes in
// stages ("reading", "writing", ...), each counting records or bytes towards a total when one
// is known (-1 when not), or nothing (a stage that can only say it is running).
type meter struct {
	mu      sync.Mutex
	out     io.Writer
	command string
	bar     *progressbar.ProgressBar
	tty     bool
	stop    chan struct{}
	every   time.Duration // lineEvery when the meter started

	stage       string
	unit        string // "records", "bytes" or "" (not counted)
	done, total int64
	start       time.Time
}

// lineEvery is how often a meter not on a terminal writes its line (a variable for tests).
var lineEvery = 5 * time.Second

// newMeter starts a meter for a command; end stops it.
func newMeter(e *env, command string) *meter {
	m := &meter{out: e.stderr, command: command, every: lineEvery}
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		m.tty = true
		return m
	}
	m.stop = make(chan struct{})
	go m.lines(m.stop, m.every)
	return m
}

// lines writes the line of the running stage every interval, off a terminal, until stop is
// closed.
func (m *meter) lines(stop <-chan struct{}, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			m.mu.Lock()
			if m.stage != "" && now.Sub(m.start) >= every {
				fmt.Fprintln(m.out, m.lineLocked(now))
			}
			m.mu.Unlock()
		}
	}
}

// begin starts a stage counting unit ("records", "bytes", or "" for none) towards total (-1:
// unknown), ending the one before.
func (m *meter) begin(stage, unit string, total int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.endStageLocked()
	m.stage, m.unit, m.done, m.total, m.start = stage, unit, 0, total, time.Now()
	if !m.tty {
		return
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(m.out),
		progressbar.OptionSetDescription(m.command + ": " + stage),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(m.out) }),
	}
	switch unit {
	case "bytes":
		opts = append(opts, progressbar.OptionShowBytes(true), progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(total > 0))
	case "records":
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("records"),
			progressbar.OptionSetPredictTime(total > 0))
	default:
		opts = append(opts, progressbar.OptionSetPredictTime(false), progressbar.OptionSetElapsedTime(true))
	}
	m.bar = progressbar.NewOptions64(total, opts...)
	_ = m.bar.RenderBlank()
}

// set records how far the stage has come.
func (m *meter) set(done int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.setLocked(done)
}

// add counts n more units.
func (m *meter) add(n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.setLocked(m.done + n)
}

func (m *meter) setLocked(done int64) {
	m.done = done
	if m.bar != nil {
		_ = m.bar.Set64(done)
	}
}

// end finishes the last stage and stops the meter.
func (m *meter) end() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.endStageLocked()
	if m.stop != nil {
		close(m.stop)
		m.stop = nil
	}
}

func (m *meter) endStageLocked() {
	if m.stage == "" {
		return
	}
	if m.bar != nil {
		if m.total >= 0 {
			_ = m.bar.Set64(m.total)
		}
		_ = m.bar.Finish()
		m.bar = nil
	} else if now := time.Now(); now.Sub(m.start) >= m.every {
		// A stage long enough to have shown lines says how it ended.
		m.done = max(m.done, m.total)
		fmt.Fprintln(m.out, m.lineLocked(now)+", done")
	}
	m.stage = ""
}

// lineLocked is the line a meter writes off a terminal: stage, count, rate and time left.
func (m *meter) lineLocked(now time.Time) string {
	elapsed := now.Sub(m.start)
	line := fmt.Sprintf("%s: %s", m.command, m.stage)
	if m.unit != "" {
		rate := float64(m.done) / max(elapsed.Seconds(), 1e-3)
		line += fmt.Sprintf(" %d", m.done)
		if m.total >= 0 {
			line += fmt.Sprintf("/%d %s (%.0f%%)", m.total, m.unit, 100*float64(m.done)/float64(max(m.total, 1)))
		} else {
			line += " " + m.unit
		}
		line += fmt.Sprintf(", %.0f/s", rate)
		if m.total > m.done && rate > 0 {
			line += fmt.Sprintf(", about %s left", (time.Duration(float64(m.total-m.done)/rate) * time.Second).Round(time.Second))
		}
	}
	return line + fmt.Sprintf(", %s", elapsed.Round(time.Second))
}

// storeProgress carries the meter to the store's long writes (store.WithProgress): each of
// their stages becomes one of the meter's, counting records.
func (m *meter) storeProgress(ctx context.Context) context.Context {
	stage := ""
	return store.WithProgress(ctx, func(s string, done, total int64) {
		// Called from the one goroutine doing the write: stage needs no lock of its own.
		if s != stage {
			stage = s
			m.begin(s, "records", total)
		}
		m.set(done)
	})
}

// reader counts what is read from r into the current stage.
func (m *meter) reader(r io.Reader) io.Reader { return &meteredReader{r: r, m: m} }

// writer counts what is written to w into the current stage.
func (m *meter) writer(w io.Writer) io.Writer { return &meteredWriter{w: w, m: m} }

type meteredReader struct {
	r io.Reader
	m *meter
}

func (r *meteredReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	r.m.add(int64(n))
	return n, err
}

type meteredWriter struct {
	w io.Writer
	m *meter
}

func (w *meteredWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.m.add(int64(n))
	return n, err
}
