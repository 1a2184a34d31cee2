package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trendgraph/trendgraph/internal/kbtest/slow"
	"github.com/trendgraph/trendgraph/server"
	"github.com/trendgraph/trendgraph/store"
)

// Clients that send their headers or body byte by byte are cut off by the server's timeouts,
// and everyone else is served meanwhile; oversized headers are refused.
func TestSlowClientsAreCutOff(t *testing.T) {
	slow.Only(t) // it dribbles bytes at the server's pace for seconds
	db := filepath.Join(t.TempDir(), "kb.db")
	mustRun(t, "import", "--db", db)
	st, err := store.Open(db, store.Config{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := server.DefaultConfig()
	cfg.Log, cfg.RatePerSecond = slog.New(slog.NewTextHandler(io.Discard, nil)), 0
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	lim := httpLimits{readHeader: 300 * time.Millisecond, read: 600 * time.Millisecond, write: 5 * time.Second,
		idle: time.Second, maxHeaderBytes: 4096}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveUntilDone(ctx, ln, server.New(st, cfg), lim, time.Second, cfg.Log) }()
	defer func() { cancel(); <-done }()

	// Ordinary clients keep being served while the slow ones dribble.
	var served, failed atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			resp, err := http.Post("http://"+addr+"/graphql", "application/json", strings.NewReader(`{"query":"{ trends { totalCount } }"}`))
			if err != nil || resp.StatusCode != 200 {
				failed.Add(1)
			} else {
				served.Add(1)
			}
			if resp != nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()

	dribble := func(payload string) (time.Duration, error) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			return 0, err
		}
		defer conn.Close()
		start := time.Now()
		for i := 0; i < len(payload); i++ {
			if _, err := conn.Write([]byte{payload[i]}); err != nil {
				return time.Since(start), nil // cut off while writing
			}
			time.Sleep(50 * time.Millisecond)
			if time.Since(start) > 10*time.Second {
				return 0, fmt.Errorf("still connected after 10s")
			}
		}
		// Everything sent: the server must close (or answer and close) soon.
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, _ = io.ReadAll(conn)
		return time.Since(start), nil
	}
	body := `{"query":"{ trends { totalCount } }"}`
	slowHeaders := "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Padding: " + strings.Repeat("a", 200) + "\r\n\r\n"
	slowBody := "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " + fmt.Sprint(len(body)+200) + "\r\n\r\n" + body + strings.Repeat(" ", 200)
	for name, payload := range map[string]string{"headers": slowHeaders, "body": slowBody} {
		took, err := dribble(payload)
		if err != nil {
			t.Fatalf("slow %s: %v", name, err)
		}
		// The whole payload would take over 10 s at this pace; the server cut it off long before.
		if took > 5*time.Second {
			t.Fatalf("slow %s: connected for %s", name, took)
		}
	}
	close(stop)
	wg.Wait()
	if served.Load() < 5 || failed.Load() > 0 {
		t.Fatalf("while slow clients dribbled: %d served, %d failed", served.Load(), failed.Load())
	}

	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/livez", nil)
	// net/http allows 4 KiB of slack over MaxHeaderBytes.
	req.Header.Set("X-Huge", strings.Repeat("h", 16<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("oversized headers: %d", resp.StatusCode)
	}
}
