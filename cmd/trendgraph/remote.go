package main

// import, export, backup and check --check-db go through a running server when given --server:
// serve holds the database file with bbolt's exclusive lock, so no other process can open it,
// and the server's admin endpoints (/admin/import, export, backup, check) do the work there.
// They need a token with the admin scope, read from a file or $TRENDGRAPH_TOKEN, never from a
// flag (flags show in process lists) and never printed.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/trendgraph/trendgraph/dataset"
	"github.com/trendgraph/trendgraph/server"
)

// remoteFlags are the flags of a command that can go through a running server.
type remoteFlags struct {
	server, tokenFile string
}

// remote is a running server a command goes through, with an admin token.
type remote struct {
	base   string // scheme, host and mount prefix, without a trailing slash
	token  string
	client *http.Client
}

// connect returns the server the command line names, nil when it names none.
func (rf *remoteFlags) connect(e *env) (*remote, error) {
	if rf.server == "" {
		return nil, nil
	}
	if _, ok := dbOnCommandLine(e.args); ok {
		return nil, fmt.Errorf("%w: --db and --server exclude each other: the server works on the database it holds", errUsage)
	}
	base, err := serverURL(rf.server)
	if err != nil {
		return nil, fmt.Errorf("%w: --server: %w", errUsage, err)
	}
	token, err := rf.token(e)
	if err != nil {
		return nil, err
	}
	// No overall timeout: a backup of a large database takes as long as it takes; ^C cancels.
	return &remote{base: base, token: token, client: &http.Client{}}, nil
}

// serverURL accepts an absolute http or https URL, with a path when the server is mounted
// under a prefix, and returns it without a trailing slash.
func serverURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parse %q: %w", raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%q: want the server's URL, such as http://localhost:8080", raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// maxTokenFileBytes bounds a token file: a secret is a line, not a document.
const maxTokenFileBytes = 4 << 10

// token reads the admin token: the --token-file, else $TRENDGRAPH_TOKEN.
func (rf *remoteFlags) token(e *env) (string, error) {
	if rf.tokenFile == "" {
		if t := strings.TrimSpace(e.getenv("TRENDGRAPH_TOKEN")); t != "" {
			return t, nil
		}
		return "", fmt.Errorf("%w: --server needs an admin token: name a file holding it with --token-file, or set $TRENDGRAPH_TOKEN", errUsage)
	}
	f, err := os.Open(rf.tokenFile)
	if err != nil {
		return "", fmt.Errorf("read the token: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFileBytes+1))
	if err != nil {
		return "", fmt.Errorf("read the token %s: %w", rf.tokenFile, err)
	}
	// The file's content is never quoted in a message: it is a secret, however malformed.
	t := strings.TrimSpace(string(b))
	switch {
	case len(b) > maxTokenFileBytes:
		return "", fmt.Errorf("read the token %s: larger than %d bytes: the file should hold the secret alone", rf.tokenFile, maxTokenFileBytes)
	case t == "":
		return "", fmt.Errorf("read the token %s: the file is empty", rf.tokenFile)
	case strings.ContainsFunc(t, unicode.IsSpace):
		return "", fmt.Errorf("read the token %s: the file should hold the secret alone, on one line (not a serve tokens file)", rf.tokenFile)
	}
	return t, nil
}

// get sends a GET to an admin endpoint; see send.
func (r *remote) get(ctx context.Context, endpoint string, query url.Values) (*http.Response, error) {
	return r.send(ctx, http.MethodGet, endpoint, query, nil, nil)
}

// send sends a request to an admin endpoint and returns the response when it is a 200; any
// other answer becomes a *serverError, and a network failure an error naming the URL.
func (r *remote) send(ctx context.Context, method, endpoint string, query url.Values, body io.Reader, header http.Header) (*http.Response, error) {
	target := r.base + "/admin/" + endpoint
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return nil, fmt.Errorf("request %s: %w", r.base, err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	req.Header.Set("User-Agent", "trendgraph-cli")
	resp, err := r.client.Do(req)
	if err != nil {
		// url.Error repeats the method and the whole URL; the server's address says enough.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("reach the server at %s: %w", r.base, err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		return nil, r.failure(resp)
	}
	return resp, nil
}

// serverError is an admin endpoint's refusal: the status, and the code and message of its
// JSON error body when it has one (a proxy's error page has none).
type serverError struct {
	server   string
	status   int
	code     string
	message  string
	problems []server.Problem
}

func (e *serverError) Error() string {
	if e.code == "" {
		return fmt.Sprintf("the server at %s answered %d %s%s", e.server, e.status, http.StatusText(e.status), e.message)
	}
	msg := fmt.Sprintf("the server at %s answered %d %s: %s", e.server, e.status, e.code, e.message)
	if e.status == http.StatusUnauthorized {
		msg += " (the server does not know the token of --token-file or $TRENDGRAPH_TOKEN)"
	}
	return msg
}

// failure reads a refusal's body into a *serverError.
func (r *remote) failure(resp *http.Response) error {
	e := &serverError{server: r.base, status: resp.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	var body struct {
		Errors []struct {
			Message    string `json:"message"`
			Extensions struct {
				Code     string           `json:"code"`
				Problems []server.Problem `json:"problems"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if json.Unmarshal(b, &body) == nil && len(body.Errors) > 0 && body.Errors[0].Extensions.Code != "" {
		first := body.Errors[0]
		e.code, e.message, e.problems = first.Extensions.Code, first.Message, first.Extensions.Problems
		return e
	}
	if resp.StatusCode == http.StatusNotFound {
		e.message = " (no admin endpoints there: is it a trendgraph server of this version, and is the URL its root?)"
	} else if text := strings.TrimSpace(string(b)); text != "" && len(text) <= 200 {
		e.message = ": " + text
	}
	return e
}

// importData imports d through the server, as one change set with reason. A single data file
// is sent as it is, so that the server's problems name its lines; a directory or the embedded
// dataset is sent as one JSON file.
func (r *remote) importData(ctx context.Context, e *env, p string, d *dataset.Dataset, reason string) error {
	body, name, format, err := importBody(p, d)
	if err != nil {
		return err
	}
	header := http.Header{}
	header.Set("Content-Type", "application/"+format)
	header.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	fmt.Fprintf(e.stderr, "valid; importing through %s\n", r.base)
	resp, err := r.send(ctx, http.MethodPost, "import", url.Values{"reason": {reason}}, bytes.NewReader(body), header)
	var refused *serverError
	if errors.As(err, &refused) && len(refused.problems) > 0 {
		for _, p := range refused.problems {
			fmt.Fprintln(e.stderr, dataset.Problem{File: p.File, Line: p.Line, Field: p.Field, Msg: p.Message}.String())
		}
		return fmt.Errorf("the server at %s found %d problems: nothing was written", r.base, len(refused.problems))
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var res server.ImportResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return fmt.Errorf("read the answer of %s: %w", r.base, err)
	}
	if res.Unchanged {
		fmt.Fprintf(e.stdout, "unchanged: %s already holds this dataset (version %d)\n", r.base, res.Version)
		return nil
	}
	fmt.Fprintf(e.stdout, "imported through %s: version %d, %d changes by %s\n", r.base, res.Version, res.Changes, res.Actor)
	return nil
}

// importBody is what an import through the server sends: the bytes of the data file at p, or d
// as one JSON file when p is a directory or empty (the embedded dataset).
func importBody(p string, d *dataset.Dataset) (body []byte, name, format string, err error) {
	if p != "" {
		if info, err := os.Stat(p); err == nil && !info.IsDir() {
			body, err := os.ReadFile(p)
			if err != nil {
				return nil, "", "", fmt.Errorf("read dataset: %w", err)
			}
			format = "yaml"
			if strings.EqualFold(filepath.Ext(p), ".json") {
				format = "json"
			}
			return body, filepath.Base(p), format, nil
		}
	}
	var buf bytes.Buffer
	if err := dataset.Write(&buf, d, "json"); err != nil {
		return nil, "", "", err
	}
	return buf.Bytes(), "dataset.json", "json", nil
}

// export streams the server's export (as of asOf when set) to out.
func (r *remote) export(ctx context.Context, e *env, format, asOf, out string, force bool) error {
	q := url.Values{"format": {format}}
	if asOf != "" {
		q.Set("asOf", asOf)
	}
	resp, err := r.get(ctx, "export", q)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = writeOutput(e, out, force, func(w io.Writer) error {
		_, err := r.copyBody(w, resp.Body, "export")
		return err
	})
	return err
}

// backup streams the server's backup to out and returns its size and whether out was a stream.
func (r *remote) backup(ctx context.Context, e *env, out string, force bool) (int64, bool, error) {
	resp, err := r.get(ctx, "backup", nil)
	if err != nil {
		return 0, false, err
	}
	defer resp.Body.Close()
	var n int64
	stream, err := writeOutput(e, out, force, func(w io.Writer) error {
		var err error
		n, err = r.copyBody(w, resp.Body, "backup")
		return err
	})
	return n, stream, err
}

// copyBody copies an answer into the output; a transfer broken off (the server aborts one that
// fails midway) is an error, so that writeOutput keeps no partial file.
func (r *remote) copyBody(w io.Writer, body io.Reader, what string) (int64, error) {
	br := &bodyReader{r: body}
	n, err := io.Copy(w, br)
	if br.err != nil {
		return n, fmt.Errorf("read the %s from %s: %w", what, r.base, br.err)
	}
	return n, err
}

// bodyReader remembers the error of reading an answer, to tell it from one of writing it out.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// checkDB runs the server's database checks and prints every problem; the error counts them.
func (r *remote) checkDB(ctx context.Context, e *env) (uint64, error) {
	resp, err := r.get(ctx, "check", nil)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var res server.CheckResult
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return 0, fmt.Errorf("read the answer of %s: %w", r.base, err)
	}
	for _, p := range res.Problems {
		fmt.Fprintf(e.stderr, "%s: %s\n", p.Check, p.Message)
	}
	if !res.OK {
		return 0, fmt.Errorf("the database of %s failed its check: %d problems", r.base, len(res.Problems))
	}
	return res.Version, nil
}

// asOfArg checks the syntax of --as-of: a data version (from 1) or an RFC 3339 time. It returns
// the version, or the time when it is one.
func asOfArg(asOf string) (uint64, time.Time, error) {
	if v, err := strconv.ParseUint(asOf, 10, 64); err == nil {
		if v == 0 {
			return 0, time.Time{}, fmt.Errorf("%w: --as-of: data versions start at 1", errUsage)
		}
		return v, time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, asOf)
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("%w: --as-of %q: give a data version or an RFC 3339 time such as 2026-03-01T12:00:00Z", errUsage, asOf)
	}
	return 0, t, nil
}
