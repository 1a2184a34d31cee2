package server

import (
	"net/http"
)

func playgroundAssets() http.Handler { return http.NotFoundHandler() }

func (s *Server) servePlayground(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "playground coming", http.StatusNotImplemented)
}
