package server

// The admin endpoints do through a running server what the command line does to a database
// file: import, export, backup and the database checks. serve opens the database read-write,
// and bbolt's exclusive file lock keeps every other process out of it while it runs, so
// `trendgraph import|export|backup|check --check-db --server URL` come here instead.
//
// Each needs a bearer token with the admin scope (401 without a valid token, 403 with one that
// lacks the scope), answers errors with the same JSON body and stable codes as /graphql, is
// never cached, and is observed (request ID, access log, metrics) under the route "admin". They
// get no CORS headers: they are for scripts and the CLI, not for pages, and a page on another
// origin cannot send them an Authorization header at all (its preflight gets no CORS answer).
// The rate limit applies before the token is looked at, which slows the guessing of tokens.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/graph"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// Defaults of AdminConfig.
const (
	// DefaultMaxImportBytes bounds an import's body: the curated dataset is a few hundred KB, a
	// YAML file may not pass 16 MiB anyway (dataset.MaxYAMLFileBytes), and 64 MiB of JSON holds
	// tens of thousands of technologies. Larger datasets are imported from a file, server stopped.
	DefaultMaxImportBytes = 64 << 20
	// DefaultAdminTimeout bounds one admin request: a backup of a large database streamed over a
	// slow link, or an import's upload and write.
	DefaultAdminTimeout = 30 * time.Minute
)

// AdminConfig configures the admin endpoints; a zero field takes its default.
type AdminConfig struct {
	// MaxImportBytes bounds the body of POST /admin/import (413 past it); DefaultMaxImportBytes
	// when zero.
	MaxImportBytes int64
	// Timeout bounds one admin request once its token is checked; DefaultAdminTimeout when zero.
	// The connection's read and write deadlines, set for the GraphQL endpoint's short requests,
	// are moved to it then, so that a large upload or backup is not cut off, while anonymous
	// clients stay bound by them.
	Timeout time.Duration
}

func (c AdminConfig) maxImportBytes() int64 {
	if c.MaxImportBytes > 0 {
		return c.MaxImportBytes
	}
	return DefaultMaxImportBytes
}

func (c AdminConfig) timeout() time.Duration {
	if c.Timeout > 0 {
		return c.Timeout
	}
	return DefaultAdminTimeout
}

// admin wraps an admin endpoint: observed, traced, one method, never cached, behind an admin
// token.
func (s *Server) admin(method string, h http.HandlerFunc) http.Handler {
	var next http.Handler = s.adminGuard(h)
	next = s.adminMethod(method, next)
	if s.cfg.TracerProvider != nil {
		next = otelhttp.NewHandler(next, "admin", otelhttp.WithTracerProvider(s.cfg.TracerProvider))
	}
	return s.observe("admin", next)
}

// adminMethod refuses other methods with 405 and Allow. Every answer, errors included, says
// no-store: none may be kept by a cache between the server and its admin.
func (s *Server) adminMethod(method string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		if r.Method != method {
			w.Header().Set("Allow", method)
			s.adminError(w, r, http.StatusMethodNotAllowed, graph.CodeMethodNotAllowed, "use "+method+" for "+r.URL.Path, nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// adminGuard lets through only callers with the admin scope, with the caller in the request's
// context and the admin time limit.
func (s *Server) adminGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.rate != nil && !s.rate.allow(s.clients.clientAddress(r)) {
			s.rateLimited(w, r)
			return
		}
		token, sent := bearer(r)
		caller, ok := graph.Caller{}, false
		if sent {
			caller, ok = s.tokens.caller(token)
		}
		if !ok {
			challenge := `Bearer realm="trendgraph", scope="admin"`
			if sent {
				challenge += `, error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
			s.reject(w, r, http.StatusUnauthorized, graph.CodeUnauthenticated, "admin_auth", "the admin endpoints need a valid bearer token with the admin scope")
			return
		}
		if !caller.Can(graph.ScopeAdmin) {
			s.adminError(w, r, http.StatusForbidden, graph.CodeForbidden, "the token "+caller.Name+" lacks the admin scope", map[string]any{"scope": string(graph.ScopeAdmin)})
			return
		}
		if info := requestInfoFrom(r.Context()); info != nil {
			info.mu.Lock()
			info.authed = true
			info.mu.Unlock()
		}
		limit := s.cfg.Admin.timeout()
		// Not supported by every writer (httptest's recorder): then there is no deadline to move.
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Now().Add(limit))
		_ = rc.SetWriteDeadline(time.Now().Add(limit))
		ctx, cancel := context.WithTimeout(graph.WithCaller(r.Context(), caller), limit)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// adminError answers an admin request with an errors-only body like /graphql's, the code in
// extensions with ext beside it, and notes the code for the access log and metrics.
func (s *Server) adminError(w http.ResponseWriter, r *http.Request, status int, code, msg string, ext map[string]any) {
	if info := requestInfoFrom(r.Context()); info != nil {
		info.addCode(code)
	}
	e := &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": code}}
	maps.Copy(e.Extensions, ext)
	writeGraphQLErrors(w, mediaJSON, status, gqlerror.List{e}, nil)
}

// adminFailed answers an admin request that could not be carried out for a reason that is
// not the caller's: logged, never detailed to the caller.
func (s *Server) adminFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	ctx := r.Context()
	switch {
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
		s.log.WarnContext(ctx, "admin "+what+" ran past its time limit", "err", err)
		s.adminError(w, r, http.StatusServiceUnavailable, graph.CodeTimeout, what+" ran past the time limit of "+s.cfg.Admin.timeout().String(), nil)
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		// The client is gone: nobody reads an answer.
		s.log.InfoContext(ctx, "admin "+what+" cancelled: the client went away", "err", err)
	default:
		s.log.ErrorContext(ctx, "admin "+what, "err", err)
		s.adminError(w, r, http.StatusInternalServerError, graph.CodeInternal, "internal error", nil)
	}
}

// writeAdminJSON answers 200 with v as JSON.
func writeAdminJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only the types of this file are written: they always encode.
		panic(fmt.Sprintf("encode admin answer: %v", err))
	}
	writeBody(w, mediaJSON, http.StatusOK, append(b, '\n'))
}

// ImportResult is the answer of POST /admin/import: the change set the import made, or
// Unchanged with the current version when the database already held the dataset.
type ImportResult struct {
	Unchanged bool       `json:"unchanged,omitempty"`
	Version   uint64     `json:"version"`
	Changes   int        `json:"changes,omitempty"`
	Actor     string     `json:"actor,omitempty"`
	Reason    string     `json:"reason,omitempty"`
	Time      *time.Time `json:"time,omitempty"`
}

// Problem is one problem of an imported dataset, as the admin endpoints report it in
// extensions.problems.
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// serveImport makes the database hold exactly the dataset of the body, as one change set
// authored by the token's name with the reason of ?reason=.
func (s *Server) serveImport(w http.ResponseWriter, r *http.Request) {
	reason, ok := s.importReason(w, r)
	if !ok {
		return
	}
	format, ok := s.importFormat(w, r)
	if !ok {
		return
	}
	body, ok := s.readImportBody(w, r)
	if !ok {
		return
	}
	name := uploadName(r)
	// The curator checks the dataset against the source texts, as `trendgraph check` does.
	d, problems, err := loadBody(body, format)
	if err != nil || len(problems) > 0 {
		s.importProblems(w, r, name, problems, err)
		return
	}
	caller := graph.CallerFrom(r.Context())
	cs, err := knowledge.NewCurator(s.store, s.cfg.SourceTexts, s.cfg.Committer).Import(r.Context(), knowledge.Author{Actor: caller.Name, Reason: reason}, d)
	if errors.As(err, &problems) {
		s.importProblems(w, r, name, problems, nil)
		return
	}
	if errors.Is(err, store.ErrReadOnly) {
		s.adminError(w, r, http.StatusConflict, graph.CodeReadOnly, err.Error(), nil)
		return
	}
	if err != nil {
		s.adminFailed(w, r, "import", err)
		return
	}
	if cs == nil {
		s.log.InfoContext(r.Context(), "admin import: nothing changed", "actor", caller.Name, "version", s.store.Version())
		writeAdminJSON(w, ImportResult{Unchanged: true, Version: s.store.Version()})
		return
	}
	s.log.InfoContext(r.Context(), "admin import", "actor", cs.Actor, "version", cs.Version, "changes", cs.Changes)
	writeAdminJSON(w, ImportResult{Version: cs.Version, Changes: cs.Changes, Actor: cs.Actor, Reason: cs.Reason, Time: &cs.Time})
}

// importReason is the change set's reason, ?reason=: required, as for every change.
func (s *Server) importReason(w http.ResponseWriter, r *http.Request) (string, bool) {
	reason := strings.TrimSpace(r.URL.Query().Get("reason"))
	if reason == "" {
		s.adminError(w, r, http.StatusBadRequest, graph.CodeBadUserInput, "an import needs a reason (?reason=…): say why, for the audit trail", map[string]any{"parameter": "reason"})
		return "", false
	}
	if len(reason) > knowledge.ReasonMax {
		s.adminError(w, r, http.StatusBadRequest, graph.CodeBadUserInput, "the reason is longer than "+strconv.Itoa(knowledge.ReasonMax)+" bytes",
			map[string]any{"parameter": "reason", "limit": "reason length", "max": knowledge.ReasonMax, "actual": len(reason)})
		return "", false
	}
	return reason, true
}

// importFormat is the format of an import's body: ?format= when given, else its Content-Type.
func (s *Server) importFormat(w http.ResponseWriter, r *http.Request) (string, bool) {
	if named := r.URL.Query().Get("format"); named != "" {
		if format, ok := dataFormat(named); ok {
			return format, true
		}
		s.adminError(w, r, http.StatusBadRequest, graph.CodeBadRequest, fmt.Sprintf("unknown format %q: use yaml or json", named), map[string]any{"parameter": "format"})
		return "", false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err != nil:
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return "json", true
	case mt == "application/yaml" || mt == "application/x-yaml" || mt == "text/yaml" || mt == "text/x-yaml" || strings.HasSuffix(mt, "+yaml"):
		return "yaml", true
	}
	s.adminError(w, r, http.StatusUnsupportedMediaType, graph.CodeUnsupportedMediaType,
		"send the dataset as application/yaml or application/json, or name its format with ?format=yaml or ?format=json", nil)
	return "", false
}

// dataFormat reads a format name as the export and import endpoints take it.
func dataFormat(f string) (string, bool) {
	switch strings.ToLower(f) {
	case "yaml", "yml":
		return "yaml", true
	case "json":
		return "json", true
	}
	return "", false
}

// readImportBody reads the body of an import, bounded by MaxImportBytes.
func (s *Server) readImportBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	limit := s.cfg.Admin.maxImportBytes()
	tooLarge := func() ([]byte, bool) {
		s.reject(w, r, http.StatusRequestEntityTooLarge, graph.CodeBodyTooLarge, "import_bytes",
			"the dataset is larger than the limit of "+strconv.FormatInt(limit, 10)+" bytes the server takes in one import")
		return nil, false
	}
	// A declared length past the limit is refused before a byte is read.
	if r.ContentLength > limit {
		return tooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &big):
		return tooLarge()
	case err != nil:
		s.log.InfoContext(r.Context(), "admin import: reading the body failed", "err", err)
		s.adminError(w, r, http.StatusBadRequest, graph.CodeBadRequest, "the request body could not be read", nil)
		return nil, false
	case len(strings.TrimSpace(string(body))) == 0:
		// An empty dataset would archive every record: never what an empty body meant.
		s.adminError(w, r, http.StatusBadRequest, graph.CodeBadUserInput, "the body is empty: send a dataset file", nil)
		return nil, false
	}
	return body, true
}

// uploadName is what problems call the body: the file name its Content-Disposition gives
// (without any directory), else "request body".
func uploadName(r *http.Request) string {
	if _, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
		name := path.Base(strings.ReplaceAll(params["filename"], `\`, "/"))
		if name != "" && name != "." && name != "/" && len(name) <= 255 && !strings.ContainsFunc(name, isControl) {
			return name
		}
	}
	return "request body"
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// loadBody reads a dataset from the bytes of a data file, with dataset's own strict reader and
// bounds. Its problems, and the dataset's, name the file body.yaml or body.json (the reader goes
// by the extension): importProblems gives them the caller's name for it.
func loadBody(body []byte, format string) (*dataset.Dataset, dataset.Problems, error) {
	file := "body." + format
	d, err := dataset.LoadFS(fstest.MapFS{file: {Data: body}}, file, ".")
	var problems dataset.Problems
	if errors.As(err, &problems) {
		return nil, problems, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return d, nil, nil
}

// relabel names the body's file as the caller knows it in problems that name it.
func relabel(problems dataset.Problems, name string) dataset.Problems {
	out := make(dataset.Problems, len(problems))
	for i, p := range problems {
		if p.File == "body.yaml" || p.File == "body.json" {
			p.File = name
		}
		out[i] = p
	}
	return out
}

// importProblems answers an invalid dataset: 400 BAD_USER_INPUT with every problem, the body
// named name in them.
func (s *Server) importProblems(w http.ResponseWriter, r *http.Request, name string, problems dataset.Problems, err error) {
	if err != nil {
		// A body that reads as no data file at all (LoadFS found nothing in it).
		problems = dataset.Problems{{File: name, Msg: err.Error()}}
	}
	problems = relabel(problems, name)
	list := make([]Problem, len(problems))
	for i, p := range problems {
		list[i] = Problem{File: p.File, Line: p.Line, Field: p.Field, Message: p.Msg}
	}
	s.adminError(w, r, http.StatusBadRequest, graph.CodeBadUserInput,
		fmt.Sprintf("the dataset has %d problems: nothing was written", len(list)), map[string]any{"problems": list})
}

// serveExport writes the whole graph as one dataset file (?format=yaml, the default, or json),
// as it is or as it was at ?asOf= (a data version or an RFC 3339 time).
func (s *Server) serveExport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	format := "yaml"
	if f := q.Get("format"); f != "" {
		var ok bool
		if format, ok = dataFormat(f); !ok {
			s.adminError(w, r, http.StatusBadRequest, graph.CodeBadRequest, fmt.Sprintf("unknown format %q: use yaml or json", f), map[string]any{"parameter": "format"})
			return
		}
	}
	var d *dataset.Dataset
	var err error
	filename := "trendgraph." + format
	if asOf := q.Get("asOf"); asOf != "" {
		version, msg := s.asOfVersion(r.Context(), asOf)
		if msg != "" {
			s.adminError(w, r, http.StatusBadRequest, graph.CodeBadUserInput, msg, map[string]any{"parameter": "asOf"})
			return
		}
		filename = fmt.Sprintf("trendgraph-v%d.%s", version, format)
		d, err = s.store.ExportAsOf(r.Context(), version)
	} else {
		d, err = s.store.Export()
	}
	if err != nil {
		s.adminFailed(w, r, "export", err)
		return
	}
	media := "application/yaml"
	if format == "json" {
		media = mediaJSON
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	cw := &countingWriter{w: w}
	if err := dataset.Write(cw, d, format); err != nil {
		s.failStream(w, r, "export", cw.n, err)
	}
}

// asOfVersion reads ?asOf=: a data version, or an RFC 3339 time mapped to the newest version
// committed at or before it. msg says what is wrong with it, for the caller.
func (s *Server) asOfVersion(ctx context.Context, asOf string) (uint64, string) {
	current := s.store.Version()
	version, err := strconv.ParseUint(asOf, 10, 64)
	if err != nil {
		at, terr := time.Parse(time.RFC3339Nano, asOf)
		if terr != nil {
			return 0, fmt.Sprintf("asOf %q is neither a data version nor an RFC 3339 time such as 2026-03-01T12:00:00Z", asOf)
		}
		if version, err = s.store.VersionAt(ctx, at); err != nil {
			return 0, "the data version at " + asOf + " could not be read"
		}
		if version == 0 {
			return 0, "the database held no data at " + asOf + ": its first change set is later"
		}
		return version, ""
	}
	switch {
	case version == 0:
		// Replay reads version 0 as "every change set": never what asOf=0 meant.
		return 0, "data versions start at 1"
	case version > current:
		return 0, fmt.Sprintf("version %d is newer than the data (version %d)", version, current)
	}
	return version, ""
}

// countingWriter counts the bytes written through it, to tell a failure before the answer
// began (which can still be a JSON error) from one in the middle of it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// failStream handles an error while streaming an answer: before any byte, a JSON error; after,
// the connection is aborted, so that the client sees a broken transfer, never a short file that
// looks whole.
func (s *Server) failStream(w http.ResponseWriter, r *http.Request, what string, written int64, err error) {
	if written == 0 {
		w.Header().Del("Content-Disposition")
		s.adminFailed(w, r, what, err)
		return
	}
	s.log.ErrorContext(r.Context(), "admin "+what+" failed mid-stream: aborting the connection", "bytes", written, "err", err)
	panic(http.ErrAbortHandler)
}

// serveBackup streams a consistent copy of the database file (one read transaction).
func (s *Server) serveBackup(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "trendgraph.db"}))
	cw := &countingWriter{w: w}
	if _, err := s.store.Backup(cw); err != nil {
		s.failStream(w, r, "backup", cw.n, err)
		return
	}
	s.log.InfoContext(r.Context(), "admin backup", "actor", graph.CallerFrom(r.Context()).Name, "bytes", cw.n)
}

// CheckResult is the answer of GET /admin/check: OK when bbolt's consistency check found
// nothing and the change log, replayed, gives exactly the data.
type CheckResult struct {
	OK       bool           `json:"ok"`
	Version  uint64         `json:"version"`
	Problems []CheckProblem `json:"problems"`
}

// CheckProblem is one finding of GET /admin/check: Check is "consistency" (bbolt's check of the
// file's pages), "history" (a record where the replayed change log and the data disagree) or
// "replica" (where a replica's file and its cluster's log at its version disagree).
type CheckProblem struct {
	Check   string `json:"check"`
	Message string `json:"message"`
}

// serveCheck runs the database's consistency check and verifies its history. The check ran
// whatever it found: 200 either way, 500 only when it could not run.
func (s *Server) serveCheck(w http.ResponseWriter, r *http.Request) {
	res := CheckResult{Version: s.store.Version(), Problems: []CheckProblem{}}
	if err := s.store.Check(); err != nil {
		found, ok := inconsistencies(err)
		if !ok {
			s.adminFailed(w, r, "check", err)
			return
		}
		for _, e := range found {
			res.Problems = append(res.Problems, CheckProblem{Check: "consistency", Message: e.Error()})
		}
	}
	diffs, err := s.store.VerifyHistory(r.Context())
	if err != nil {
		s.adminFailed(w, r, "check", err)
		return
	}
	for _, d := range diffs {
		res.Problems = append(res.Problems, CheckProblem{Check: "history", Message: d})
	}
	if s.cfg.VerifyReplica != nil {
		diffs, err := s.cfg.VerifyReplica(r.Context())
		if err != nil {
			s.adminFailed(w, r, "check", err)
			return
		}
		for _, d := range diffs {
			res.Problems = append(res.Problems, CheckProblem{Check: "replica", Message: d})
		}
	}
	res.OK = len(res.Problems) == 0
	s.log.InfoContext(r.Context(), "admin check", "actor", graph.CallerFrom(r.Context()).Name, "ok", res.OK, "problems", len(res.Problems))
	writeAdminJSON(w, res)
}

// inconsistencies are the findings of a failed Store.Check: it joins bbolt's errors
// (errors.Join) under a message naming the file. An error without that join is a failure to
// run the check, not a finding.
func inconsistencies(err error) ([]error, bool) {
	for err != nil {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			return j.Unwrap(), true
		}
		err = errors.Unwrap(err)
	}
	return nil, false
}
