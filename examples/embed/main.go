// Command embed is an internal service that mounts trendgraph under /kb/ of its own mux, next to
// its own routes, behind its own authentication: what a portal backend written in Go does.
//
//	go run ./examples/embed --db ./trendgraph.db --addr :9090
package main

import (
	"context"
	"crypto/subtle"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/trendgraph/trendgraph/server"
	"github.com/trendgraph/trendgraph/store"
)

func main() {
	db := flag.String("db", "./trendgraph.db", "trendgraph database (create it with `trendgraph import`)")
	addr := flag.String("addr", ":9090", "address to listen on")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	st, err := store.Open(*db, store.Config{ReadOnly: true})
	if err != nil {
		log.Error("open the knowledge base", "err", err)
		os.Exit(1)
	}
	defer st.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv := &http.Server{Addr: *addr, Handler: newPortal(st, log, os.Getenv("PORTAL_SESSION")), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

// newPortal builds the service's mux: its own status page, and the knowledge base under /kb/
// behind the portal's session check. trendgraph's own limits and metrics come along.
func newPortal(st *store.Store, log *slog.Logger, session string) http.Handler {
	cfg := server.DefaultConfig()
	cfg.Log = log
	kb := server.New(st, cfg)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("portal ok\n"))
	})
	mux.Handle("/kb/", requireSession(session, http.StripPrefix("/kb", kb)))
	return mux
}

// requireSession is the portal's own authentication: a session cookie, not trendgraph's tokens.
func requireSession(session string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("portal_session")
		if session == "" || err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(session)) != 1 {
			http.Error(w, "sign in to the portal first", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}
