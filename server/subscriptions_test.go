package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/trendgraph/trendgraph/graph"
)

// wait bounds every wait for an event in these tests.
const wait = 10 * time.Second

const writerSecret = "writer-secret"

// withWriter accepts a token with the write scope.
func withWriter(c *Config) {
	c.Tokens = append(c.Tokens, Token{Name: "writer", Secret: writerSecret, Scopes: []graph.Scope{graph.ScopeRead, graph.ScopeWrite}})
}

// writerAuth is the header of the write token (a new map each time: post adds to it).
func writerAuth() map[string]string {
	return map[string]string{"Authorization": "Bearer " + writerSecret}
}

// addSource commits one change set through h and returns its version.
func addSource(t *testing.T, h http.Handler) int {
	t.Helper()
	slug := fmt.Sprintf("s-%d", sourceSeq.Add(1))
	r := post(h, `mutation($slug: String!) { addSource(input: {reason: "test", slug: $slug, title: "T"}) { changeSet { version } } }`,
		map[string]any{"slug": slug}, writerAuth())
	var out struct {
		Data struct {
			AddSource struct{ ChangeSet struct{ Version int } }
		}
	}
	if err := json.Unmarshal(r.body, &out); err != nil || out.Data.AddSource.ChangeSet.Version == 0 {
		t.Fatalf("addSource: %d %s", r.status, r.body)
	}
	return out.Data.AddSource.ChangeSet.Version
}

var sourceSeq atomic.Int64

const changesSub = `subscription($since: Int) { changes(since: $since) { version actor } }`

// --- SSE ---

type sseEvent struct {
	name string
	data string
}

// eventStream reads the events of one SSE response.
type eventStream struct {
	resp   *http.Response
	events chan sseEvent
	cancel context.CancelFunc
	// err is why the stream ended (nil: the body ended cleanly); read after events is closed.
	err error
}

// openSSE posts an operation for an event stream. The response is returned as is when it is
// not a stream.
func openSSE(t *testing.T, url, query string, vars map[string]any, header map[string]string) (*eventStream, *http.Response) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatalf("SSE request: %v", err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		cancel()
		return nil, resp
	}
	s := &eventStream{resp: resp, events: make(chan sseEvent, 100), cancel: cancel}
	t.Cleanup(s.close)
	go s.read()
	return s, resp
}

func (s *eventStream) read() {
	defer close(s.events)
	sc := bufio.NewScanner(s.resp.Body)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.name != "" {
				s.events <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, "event: "):
			ev.name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			ev.data += strings.TrimPrefix(line, "data: ")
		}
	}
	s.err = sc.Err()
}

func (s *eventStream) close() { s.cancel(); _ = s.resp.Body.Close() }

// next is the next event; it fails the test when the stream ends first.
func (s *eventStream) next(t *testing.T) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			t.Fatalf("the stream ended: %v", s.err)
		}
		return ev
	case <-time.After(wait):
		t.Fatal("no event in time")
	}
	return sseEvent{}
}

// ended waits for the end of the stream and returns its remaining events.
func (s *eventStream) ended(t *testing.T) []sseEvent {
	t.Helper()
	var rest []sseEvent
	timeout := time.After(wait)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				return rest
			}
			rest = append(rest, ev)
		case <-timeout:
			t.Fatal("the stream did not end in time")
		}
	}
}

// --- results ---

// result is one GraphQL response of a stream.
type streamResult struct {
	Data struct {
		Changes *struct {
			Version int
			Actor   string
		}
	}
	Errors []struct {
		Message    string
		Extensions map[string]any
	}
}

func parseResult(t *testing.T, data []byte) streamResult {
	t.Helper()
	var r streamResult
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatalf("not a GraphQL response: %v: %s", err, data)
	}
	return r
}

func (r streamResult) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// version is the change set's version; it fails the test on an error.
func (r streamResult) version(t *testing.T) int {
	t.Helper()
	if len(r.Errors) > 0 || r.Data.Changes == nil {
		t.Fatalf("want a change set, got %+v", r)
	}
	return r.Data.Changes.Version
}

// nextChange reads an SSE event that must be a change set.
func (s *eventStream) nextChange(t *testing.T) int {
	t.Helper()
	ev := s.next(t)
	if ev.name != "next" {
		t.Fatalf("want a next event, got %q %s", ev.name, ev.data)
	}
	return parseResult(t, []byte(ev.data)).version(t)
}

// --- graphql-transport-ws ---

type wsMessage struct {
	Type    string          `json:"type"`
	ID      string          `json:"id,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

// wsClient speaks graphql-transport-ws.
type wsClient struct {
	c    *websocket.Conn
	msgs chan wsMessage
	// err is why reading stopped; read after msgs is closed.
	err error
}

func dialWS(t *testing.T, url string, header http.Header) (*wsClient, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(url, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: header})
	if err != nil {
		return nil, resp, err
	}
	w := &wsClient{c: c, msgs: make(chan wsMessage, 100)}
	t.Cleanup(func() { _ = c.CloseNow() })
	go w.read()
	return w, resp, nil
}

func (w *wsClient) read() {
	defer close(w.msgs)
	for {
		_, b, err := w.c.Read(context.Background())
		if err != nil {
			w.err = err
			return
		}
		var m wsMessage
		if json.Unmarshal(b, &m) == nil {
			if m.Type == "ping" {
				_ = w.c.Write(context.Background(), websocket.MessageText, []byte(`{"type":"pong"}`))
				continue
			}
			w.msgs <- m
		}
	}
}

func (w *wsClient) send(t *testing.T, m any) {
	t.Helper()
	b, _ := json.Marshal(m)
	if err := w.c.Write(context.Background(), websocket.MessageText, b); err != nil {
		t.Fatalf("websocket write: %v", err)
	}
}

// next is the next message; ok is false when the connection closed first.
func (w *wsClient) next(t *testing.T) (wsMessage, bool) {
	t.Helper()
	select {
	case m, ok := <-w.msgs:
		return m, ok
	case <-time.After(wait):
		t.Fatal("no websocket message in time")
	}
	return wsMessage{}, false
}

func (w *wsClient) mustNext(t *testing.T) wsMessage {
	t.Helper()
	m, ok := w.next(t)
	if !ok {
		t.Fatalf("the websocket closed: %v", w.err)
	}
	return m
}

// init sends connection_init with payload and expects connection_ack.
func (w *wsClient) init(t *testing.T, payload map[string]any) {
	t.Helper()
	w.send(t, map[string]any{"type": "connection_init", "payload": payload})
	if m := w.mustNext(t); m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %+v", m)
	}
}

func (w *wsClient) subscribe(t *testing.T, id, query string, vars map[string]any) {
	t.Helper()
	w.send(t, map[string]any{"type": "subscribe", "id": id, "payload": map[string]any{"query": query, "variables": vars}})
}

// nextChange reads a next message of operation id that must be a change set.
func (w *wsClient) nextChange(t *testing.T, id string) int {
	t.Helper()
	m := w.mustNext(t)
	if m.Type != "next" || m.ID != id {
		t.Fatalf("want next of %s, got %+v", id, m)
	}
	return parseResult(t, m.Payload).version(t)
}

// closed waits for the connection to close and returns its status.
func (w *wsClient) closed(t *testing.T) websocket.StatusCode {
	t.Helper()
	for {
		if _, ok := w.next(t); !ok {
			return websocket.CloseStatus(w.err)
		}
	}
}

// --- tests ---

func TestSSECatchesUpThenFollows(t *testing.T) {
	st := newStore(t)
	writer := newHandler(t, st, withWriter)
	// A request timeout that would cut any request at once: the stream must not be cut by it.
	srv := httptest.NewServer(newHandler(t, st, func(c *Config) { c.Timeout = time.Nanosecond }))
	t.Cleanup(srv.Close)
	v1, v2 := addSource(t, writer), addSource(t, writer)

	s, resp := openSSE(t, srv.URL, changesSub, map[string]any{"since": v1 - 1}, nil)
	if s == nil {
		t.Fatalf("no stream: %d", resp.StatusCode)
	}
	if got := []int{s.nextChange(t), s.nextChange(t)}; got[0] != v1 || got[1] != v2 {
		t.Fatalf("catch-up: got %v, want [%d %d]", got, v1, v2)
	}
	v3 := addSource(t, writer)
	if got := s.nextChange(t); got != v3 {
		t.Fatalf("live: got %d, want %d", got, v3)
	}
}

func TestSSEOutlivesServerDeadlines(t *testing.T) {
	st := newStore(t)
	writer := newHandler(t, st, withWriter)
	srv := httptest.NewUnstartedServer(newHandler(t, st, nil))
	// cmd's serve sets these for requests; a stream lifts them.
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 50*time.Millisecond, 50*time.Millisecond
	srv.Start()
	t.Cleanup(srv.Close)
	s, _ := openSSE(t, srv.URL, changesSub, nil, nil)
	if s == nil {
		t.Fatal("no stream")
	}
	// Not a synchronisation: the deadlines must have passed before the next change commits.
	time.Sleep(3 * srv.Config.WriteTimeout)
	v := addSource(t, writer)
	if got := s.nextChange(t); got != v {
		t.Fatalf("got %d, want %d", got, v)
	}
}

func TestWebSocketSubscriptionsQueriesAndMutations(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, withWriter)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	v1 := addSource(t, h)

	w, _, err := dialWS(t, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(t, map[string]any{"Authorization": "Bearer " + writerSecret})
	w.subscribe(t, "s", changesSub, map[string]any{"since": v1 - 1})
	if got := w.nextChange(t, "s"); got != v1 {
		t.Fatalf("catch-up: got %d, want %d", got, v1)
	}
	// A mutation over the same socket, as the connection's caller.
	w.subscribe(t, "m", `mutation { addSource(input: {reason: "ws", slug: "over-ws", title: "T"}) { changeSet { version actor } } }`, nil)
	var mutated, live int
	for completed := false; mutated == 0 || live == 0 || !completed; {
		m := w.mustNext(t)
		switch {
		case m.ID == "s" && m.Type == "next":
			r := parseResult(t, m.Payload)
			live = r.version(t)
			if r.Data.Changes.Actor != "writer" {
				t.Fatalf("actor %q, want writer", r.Data.Changes.Actor)
			}
		case m.ID == "m" && m.Type == "next":
			var r struct {
				Data struct {
					AddSource struct{ ChangeSet struct{ Version int } }
				}
			}
			if err := json.Unmarshal(m.Payload, &r); err != nil || r.Data.AddSource.ChangeSet.Version == 0 {
				t.Fatalf("mutation: %s", m.Payload)
			}
			mutated = r.Data.AddSource.ChangeSet.Version
		case m.ID == "m" && m.Type == "complete":
			completed = true
		default:
			t.Fatalf("unexpected %+v", m)
		}
	}
	if mutated != live {
		t.Fatalf("the mutation made %d, the subscription saw %d", mutated, live)
	}
	// And a query.
	w.subscribe(t, "q", `{ dataVersion }`, nil)
	if m := w.mustNext(t); m.Type != "next" || !strings.Contains(string(m.Payload), fmt.Sprintf(`"dataVersion":%d`, live)) {
		t.Fatalf("query: %+v %s", m, m.Payload)
	}
}

func TestWebSocketOperationsHaveTheirOwnBudgets(t *testing.T) {
	srv := httptest.NewServer(newHandler(t, newStore(t), func(c *Config) { c.Limits.MaxIntrospectionFields = 1 }))
	t.Cleanup(srv.Close)
	w, _, err := dialWS(t, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(t, nil)
	// One __schema each: a connection is not a batch, so the second must not count the first.
	for _, id := range []string{"a", "b"} {
		w.subscribe(t, id, `{ __schema { queryType { name } } }`, nil)
		if m := w.mustNext(t); m.Type != "next" || !strings.Contains(string(m.Payload), `"name":"Query"`) {
			t.Fatalf("%s: %+v %s", id, m, m.Payload)
		}
		if m := w.mustNext(t); m.Type != "complete" {
			t.Fatalf("%s: %+v", id, m)
		}
	}
}

func TestSubscriptionAuth(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, func(c *Config) { withWriter(c); c.RequireAuth = true })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	t.Run("SSE without a token", func(t *testing.T) {
		if s, resp := openSSE(t, srv.URL, changesSub, nil, nil); s != nil || resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("got a stream or %d", resp.StatusCode)
		}
	})
	t.Run("SSE with a token", func(t *testing.T) {
		if s, resp := openSSE(t, srv.URL, changesSub, nil, writerAuth()); s == nil {
			t.Fatalf("refused: %d", resp.StatusCode)
		}
	})
	for name, payload := range map[string]map[string]any{
		"no token":      nil,
		"invalid token": {"Authorization": "Bearer nope"},
		"not bearer":    {"Authorization": writerSecret},
	} {
		t.Run("websocket with "+name, func(t *testing.T) {
			w, _, err := dialWS(t, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			w.send(t, map[string]any{"type": "connection_init", "payload": payload})
			if code := w.closed(t); code != wsCloseForbidden {
				t.Fatalf("closed with %d, want %d", code, wsCloseForbidden)
			}
		})
	}
	for _, key := range []string{"Authorization", "authorization"} {
		t.Run("websocket with "+key, func(t *testing.T) {
			w, _, err := dialWS(t, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			w.init(t, map[string]any{key: "Bearer " + writerSecret})
			w.subscribe(t, "1", changesSub, map[string]any{"since": int(st.Version()) - 1})
			w.nextChange(t, "1")
		})
	}
	t.Run("websocket with the token in its headers", func(t *testing.T) {
		w, _, err := dialWS(t, srv.URL, http.Header{"Authorization": {"Bearer " + writerSecret}})
		if err != nil {
			t.Fatal(err)
		}
		w.init(t, nil)
		w.subscribe(t, "1", changesSub, map[string]any{"since": int(st.Version()) - 1})
		w.nextChange(t, "1")
	})
}

func TestMutationsOverWebSocketNeedAToken(t *testing.T) {
	srv := httptest.NewServer(newHandler(t, newStore(t), withWriter))
	t.Cleanup(srv.Close)
	w, _, err := dialWS(t, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(t, nil)
	w.subscribe(t, "m", `mutation { addSource(input: {reason: "r", slug: "anon", title: "T"}) { clientMutationId } }`, nil)
	m := w.mustNext(t)
	if m.Type != "next" || parseResult(t, m.Payload).code() != graph.CodeUnauthenticated {
		t.Fatalf("%+v %s", m, m.Payload)
	}
}

func TestWebSocketOrigins(t *testing.T) {
	srv := httptest.NewServer(newHandler(t, newStore(t), func(c *Config) { c.CORSOrigins = []string{"https://portal.example"} }))
	t.Cleanup(srv.Close)
	for origin, allowed := range map[string]bool{
		"":                       true, // not a browser
		"https://portal.example": true,
		srv.URL:                  true, // the playground's own origin
		"https://evil.example":   false,
		"null":                   false,
	} {
		w, resp, err := dialWS(t, srv.URL, http.Header{"Origin": {origin}})
		if allowed && err != nil {
			t.Errorf("origin %q refused: %v", origin, err)
		}
		if !allowed && (err == nil || resp == nil || resp.StatusCode != http.StatusForbidden) {
			t.Errorf("origin %q: want 403, got %v %v", origin, resp, err)
		}
		if w != nil {
			_ = w.c.CloseNow()
		}
	}
}

func TestTooManySubscribers(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, func(c *Config) { withWriter(c); c.MaxSubscribers = 1 })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	since := map[string]any{"since": addSource(t, h) - 1}
	first, _ := openSSE(t, srv.URL, changesSub, since, nil)
	first.nextChange(t) // the first holds the only place

	again, _ := openSSE(t, srv.URL, changesSub, since, nil)
	ev := again.next(t)
	if r := parseResult(t, []byte(ev.data)); ev.name != "next" || r.code() != graph.CodeTooManySubscribers {
		t.Fatalf("SSE: %q %s", ev.name, ev.data)
	}
	if rest := again.ended(t); len(rest) != 1 || rest[0].name != "complete" {
		t.Fatalf("SSE: want complete, got %+v", rest)
	}

	w, _, err := dialWS(t, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(t, nil)
	w.subscribe(t, "1", changesSub, since)
	if m := w.mustNext(t); m.Type != "next" || parseResult(t, m.Payload).code() != graph.CodeTooManySubscribers {
		t.Fatalf("websocket: %+v %s", m, m.Payload)
	}
	if m := w.mustNext(t); m.Type != "complete" {
		t.Fatalf("websocket: %+v", m)
	}
}

func TestSubscriptionsPassTheLimits(t *testing.T) {
	st := newStore(t)
	deep := `subscription { changes { changes { edges { node { changeSet { changes { edges { node { revision } } } } } } } } }`
	srv := httptest.NewServer(newHandler(t, st, func(c *Config) { c.Limits.MaxDepth = 3 }))
	t.Cleanup(srv.Close)
	s, _ := openSSE(t, srv.URL, deep, nil, nil)
	if ev := s.next(t); parseResult(t, []byte(ev.data)).code() != graph.CodeDepthLimit {
		t.Fatalf("SSE: %s", ev.data)
	}
	w, _, err := dialWS(t, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(t, nil)
	w.subscribe(t, "1", deep, nil)
	// A limit is a request error: graphql-transport-ws's error message.
	if m := w.mustNext(t); m.Type != "error" || !strings.Contains(string(m.Payload), graph.CodeDepthLimit) {
		t.Fatalf("websocket: %+v %s", m, m.Payload)
	}

	// Trusted documents only: a document outside the manifest is refused on every transport.
	trusted := httptest.NewServer(newHandler(t, st, func(c *Config) { c.TrustedOnly = true }))
	t.Cleanup(trusted.Close)
	s, _ = openSSE(t, trusted.URL, changesSub, nil, nil)
	if ev := s.next(t); parseResult(t, []byte(ev.data)).code() != graph.CodeTrustedDocumentRequired {
		t.Fatalf("trusted SSE: %s", ev.data)
	}
	w, _, err = dialWS(t, trusted.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(t, nil)
	w.subscribe(t, "1", changesSub, nil)
	if m := w.mustNext(t); !strings.Contains(string(m.Payload), graph.CodeTrustedDocumentRequired) {
		t.Fatalf("trusted websocket: %+v %s", m, m.Payload)
	}
}

func TestWebSocketOperationsCountAgainstTheRate(t *testing.T) {
	// A burst of 2: the connection, then one operation.
	srv := httptest.NewServer(newHandler(t, newStore(t), func(c *Config) { c.RatePerSecond, c.RateBurst = 0.001, 2 }))
	t.Cleanup(srv.Close)
	w, _, err := dialWS(t, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(t, nil)
	for i, want := range []string{"", graph.CodeRateLimited} {
		w.subscribe(t, fmt.Sprint(i), `{ dataVersion }`, nil)
		m := w.mustNext(t)
		if got := parseResult(t, m.Payload).code(); m.Type != "next" || got != want {
			t.Fatalf("operation %d: code %q, want %q: %s", i, got, want, m.Payload)
		}
		w.mustNext(t) // complete
	}
}

// gate holds the writes of a server's connections that carry a next event while it is shut,
// as a client that stops reading would.
type gate struct {
	mu      sync.Mutex
	shut    bool
	opened  chan struct{}
	blocked chan struct{}
	once    sync.Once
}

func newGate() *gate {
	return &gate{shut: true, opened: make(chan struct{}), blocked: make(chan struct{})}
}

func (g *gate) pass(b []byte) {
	if !bytes.Contains(b, []byte("event: next")) && !bytes.Contains(b, []byte(`"type":"next"`)) {
		return
	}
	g.mu.Lock()
	shut := g.shut
	g.mu.Unlock()
	if shut {
		g.once.Do(func() { close(g.blocked) })
		<-g.opened
	}
}

func (g *gate) open() {
	g.mu.Lock()
	g.shut = false
	g.mu.Unlock()
	close(g.opened)
}

type gatedListener struct {
	net.Listener
	g *gate
}

func (l gatedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	return gatedConn{c, l.g}, err
}

type gatedConn struct {
	net.Conn
	g *gate
}

func (c gatedConn) Write(b []byte) (int, error) { c.g.pass(b); return c.Conn.Write(b) }

// TestSubscriberTooSlowReachesTheClient drops a subscriber that stops reading, and checks the
// client gets SUBSCRIBER_TOO_SLOW as the stream's last event, over both transports.
func TestSubscriberTooSlowReachesTheClient(t *testing.T) {
	for _, transport := range []string{"sse", "websocket"} {
		t.Run(transport, func(t *testing.T) {
			st := newStore(t)
			h := newHandler(t, st, func(c *Config) { withWriter(c); c.MaxSubscribers, c.SubscriberBuffer = 1, 1 })
			g := newGate()
			slow := httptest.NewUnstartedServer(h)
			slow.Listener = gatedListener{slow.Listener, g}
			slow.Start()
			t.Cleanup(slow.Close)
			fast := httptest.NewServer(h)
			t.Cleanup(fast.Close)
			first := addSource(t, h)
			for range 5 {
				addSource(t, h)
			}
			// The stream's first event is held: the transport holds it, the resolver the
			// next, the feed's buffer one more, and the feed drops the subscriber on the fourth.
			var got func() (versions []int, last streamResult, completed bool)
			switch transport {
			case "sse":
				s, _ := openSSE(t, slow.URL, changesSub, map[string]any{"since": first - 1}, nil)
				got = func() ([]int, streamResult, bool) { return readSSEToEnd(t, s) }
			default:
				w, _, err := dialWS(t, slow.URL, nil)
				if err != nil {
					t.Fatal(err)
				}
				w.init(t, nil)
				w.subscribe(t, "1", changesSub, map[string]any{"since": first - 1})
				got = func() ([]int, streamResult, bool) { return readWSToEnd(t, w, "1") }
			}
			select {
			case <-g.blocked:
			case <-time.After(wait):
				t.Fatal("the first event was not written")
			}
			waitForFreeSubscription(t, fast.URL, st.Version())
			g.open()
			versions, last, completed := got()
			if len(versions) == 0 || versions[0] != first || versions[len(versions)-1] != first+len(versions)-1 {
				t.Fatalf("versions %v, want consecutive from %d", versions, first)
			}
			if last.code() != graph.CodeSubscriberTooSlow || !completed {
				t.Fatalf("last %+v, completed %v", last, completed)
			}
		})
	}
}

// waitForFreeSubscription subscribes until the server takes a subscriber again (it takes one:
// the slow one must have been dropped), each attempt one request, until wait.
func waitForFreeSubscription(t *testing.T, url string, newest uint64) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		s, _ := openSSE(t, url, changesSub, map[string]any{"since": int(newest) - 1}, nil)
		r := parseResult(t, []byte(s.next(t).data))
		s.close()
		if r.code() == "" {
			return
		}
		if r.code() != graph.CodeTooManySubscribers {
			t.Fatalf("probe: %+v", r)
		}
	}
	t.Fatal("the slow subscriber was not dropped")
}

func readSSEToEnd(t *testing.T, s *eventStream) (versions []int, last streamResult, completed bool) {
	t.Helper()
	for _, ev := range s.ended(t) {
		switch ev.name {
		case "next":
			if last = parseResult(t, []byte(ev.data)); last.Data.Changes != nil {
				versions = append(versions, last.Data.Changes.Version)
			}
		case "complete":
			completed = true
		}
	}
	return versions, last, completed
}

func readWSToEnd(t *testing.T, w *wsClient, id string) (versions []int, last streamResult, completed bool) {
	t.Helper()
	for !completed {
		m := w.mustNext(t)
		switch {
		case m.ID == id && m.Type == "next":
			if last = parseResult(t, m.Payload); last.Data.Changes != nil {
				versions = append(versions, last.Data.Changes.Version)
			}
		case m.ID == id && m.Type == "complete":
			completed = true
		default:
			t.Fatalf("unexpected %+v", m)
		}
	}
	return versions, last, completed
}

func TestShutdownEndsStreams(t *testing.T) {
	st := newStore(t)
	h := newHandler(t, st, withWriter)
	since := map[string]any{"since": addSource(t, h) - 1}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()

	s, _ := openSSE(t, url, changesSub, since, nil)
	s.nextChange(t)
	w, _, err := dialWS(t, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(t, nil)
	w.subscribe(t, "1", changesSub, since)
	w.nextChange(t, "1")

	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown waited for the streams: %v", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		t.Fatal(err)
	}
	// Dropped, not completed: clients reconnect from the last version they received.
	if rest := s.ended(t); len(rest) != 0 || s.err == nil {
		t.Fatalf("SSE: events %+v, end %v", rest, s.err)
	}
	if code := w.closed(t); code != websocket.StatusNormalClosure {
		t.Fatalf("websocket closed with %d", code)
	}
	// And no new stream starts.
	r := do(h, http.MethodPost, "/graphql", []byte(`{"query":"subscription { changes { version } }"}`),
		map[string]string{"Content-Type": "application/json", "Accept": "text/event-stream"})
	if r.status != http.StatusServiceUnavailable {
		t.Fatalf("a stream after shutdown: %d %s", r.status, r.body)
	}
}

func TestStreamsEndAtTheLongestDuration(t *testing.T) {
	srv := httptest.NewServer(newHandler(t, newStore(t), func(c *Config) { c.MaxSubscriptionDuration = 100 * time.Millisecond }))
	t.Cleanup(srv.Close)
	s, _ := openSSE(t, srv.URL, changesSub, nil, nil)
	if rest := s.ended(t); len(rest) != 0 || s.err == nil {
		t.Fatalf("SSE: events %+v, end %v", rest, s.err)
	}
	w, _, err := dialWS(t, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(t, nil)
	w.subscribe(t, "1", changesSub, nil)
	if code := w.closed(t); code != websocket.StatusNormalClosure {
		t.Fatalf("websocket closed with %d", code)
	}
}

// TestStreamRequestsAreBounded: an SSE body and a WebSocket message are bounded as a POST body.
func TestStreamRequestsAreBounded(t *testing.T) {
	srv := httptest.NewServer(newHandler(t, newStore(t), func(c *Config) { c.Limits.MaxBodyBytes = 200 }))
	t.Cleanup(srv.Close)
	big := changesSub + strings.Repeat(" ", 200)
	s, resp := openSSE(t, srv.URL, big, nil, nil)
	if s != nil || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("SSE: got a stream or %d", resp.StatusCode)
	}
	w, _, err := dialWS(t, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.init(t, nil)
	w.subscribe(t, "1", big, nil)
	if code := w.closed(t); code != websocket.StatusMessageTooBig {
		t.Fatalf("websocket closed with %d", code)
	}
}
