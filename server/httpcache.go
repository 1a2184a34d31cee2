package server

import (
	"net/http"
	"strings"
)

// cacheControl is the Cache-Control of a cacheable answer: private when the caller sent a
// token, public otherwise.
func (t transport) cacheControl(r *http.Request) string {
	visibility := "public"
	if info := requestInfoFrom(r.Context()); info != nil && info.scope() != "" {
		visibility = "private" // an answer for one caller's token is not for shared caches
	}
	return visibility + ", max-age=" + itoa(int64(t.maxAge))
}

// etagMatches reports whether an If-None-Match header names etag (or is "*").
func etagMatches(header, etag string) bool {
	if header == "" || etag == "" {
		return false
	}
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "W/"))
		if part == etag || part == "*" {
			return true
		}
	}
	return false
}
