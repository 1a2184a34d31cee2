package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/trendgraph/trendgraph/internal/kbtest"
)

func TestPortalMountsTheKnowledgeBase(t *testing.T) {
	st := kbtest.Open(t, kbtest.Curated(t))
	portal := httptest.NewServer(newPortal(st, slog.New(slog.NewTextHandler(io.Discard, nil)), "s3ssion"))
	defer portal.Close()

	get := func(path string, cookie bool) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, portal.URL+path, nil)
		if cookie {
			req.AddCookie(&http.Cookie{Name: "portal_session", Value: "s3ssion"})
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/status", false); code != 200 || body != "portal ok\n" {
		t.Fatalf("the portal's own route: %d %q", code, body)
	}
	if code, _ := get("/kb/graphql?query=%7Btrends%7BtotalCount%7D%7D", false); code != http.StatusUnauthorized {
		t.Fatalf("without the portal's session: %d", code)
	}
	if code, body := get("/kb/graphql?query=%7Btechnology(slug:%22go%22)%7Bname%7D%7D", true); code != 200 || !strings.Contains(body, `"Go"`) {
		t.Fatalf("the API under /kb/: %d %s", code, body)
	}
	if code, body := get("/kb/", true); code != 200 || !strings.Contains(body, "assets/graphiql.min.js") {
		t.Fatalf("the playground under /kb/: %d", code)
	}
	if code, body := get("/kb/assets/graphiql.min.css", true); code != 200 || len(body) < 1000 {
		t.Fatalf("the playground's assets under /kb/: %d", code)
	}
	// No public URL is configured, so the links are paths; they still keep the /kb/ prefix.
	if code, body := get("/kb/radar/backend-2026.json", true); code != 200 || !strings.Contains(body, `"url": "/kb/?query=`) {
		t.Fatalf("the radar under /kb/ links back under /kb/: %d", code)
	}
}
