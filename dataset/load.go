package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// LoadPath reads a data file (.yaml, .yml or .json) or every data file in a directory tree.
// Decoding problems in all files are reported together; the dataset is not validated.
func LoadPath(p string) (*Dataset, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("read dataset: %w", err)
	}
	if !info.IsDir() {
		return LoadFS(os.DirFS(filepath.Dir(p)), filepath.Base(p), filepath.Dir(p))
	}
	return LoadFS(os.DirFS(p), ".", p)
}

// LoadFS reads the data file root, or every data file under the directory root, from fsys.
// display is prefixed to file names in messages.
func LoadFS(fsys fs.FS, root, display string) (*Dataset, error) {
	var files []string
	err := fs.WalkDir(fsys, root, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !de.IsDir() && isDataFile(p) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read dataset %s: %w", display, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("read dataset %s: no .yaml, .yml or .json files", display)
	}
	sort.Strings(files)
	d := &Dataset{origins: origins{root: display}}
	if root != "." {
		d.origins.root = filepath.Join(display, root)
	}
	var problems Problems
	for _, f := range files {
		name := filepath.Join(display, f)
		src, p, err := readBounded(fsys, f, name)
		if err != nil {
			return nil, fmt.Errorf("read dataset: %w", err)
		}
		if p != nil {
			problems = append(problems, *p)
			continue
		}
		fd, loc, p := decodeFile(name, src, isJSONName(f))
		if p != nil {
			problems = append(problems, *p)
			continue
		}
		if loc.file == nil {
			// A JSON file is parsed for lines only when a problem needs one, rarely: read it
			// again then rather than keep it in memory, as long as it has not changed.
			loc.forget(func() ([]byte, error) {
				src, p, err := readBounded(fsys, f, name)
				if p != nil {
					return nil, errors.New(p.Msg)
				}
				return src, err
			})
		}
		d.add(fd, name, loc)
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return d, nil
}

func isJSONName(f string) bool { return strings.EqualFold(path.Ext(f), ".json") }

// readBounded reads the data file f, refusing it unread past its size bound.
func readBounded(fsys fs.FS, f, name string) ([]byte, *Problem, error) {
	isJSON := isJSONName(f)
	file, err := fsys.Open(f)
	if err != nil {
		return nil, nil, err
	}
	defer file.Close()
	size := int64(-1)
	if info, err := file.Stat(); err == nil {
		if info.Size() > maxFileBytes(isJSON) {
			return nil, sizeProblem(name, info.Size(), isJSON), nil
		}
		if info.Mode().IsRegular() {
			size = info.Size()
		}
	}
	src, err := readAllBounded(file, size, maxFileBytes(isJSON))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(src)) > maxFileBytes(isJSON) {
		return nil, sizeProblem(name, int64(len(src)), isJSON), nil
	}
	return src, nil, nil
}

// readAllBounded reads r to its end or one byte past limit, whichever comes first. size is
// what r says it holds (-1 when unknown): the buffer is made that size at once, rather than
// grown by doubling, which at hundreds of megabytes costs as much again in copies.
func readAllBounded(r io.Reader, size, limit int64) ([]byte, error) {
	// The size a file reports may be wrong (a pipe, a file still growing): read one byte past
	// the bound to know.
	r = io.LimitReader(r, limit+1)
	if size < 0 || size > limit {
		return io.ReadAll(r)
	}
	buf := make([]byte, 0, size+1)
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // longer than it said: let append grow it
		}
	}
}

func isDataFile(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// decodeFile decodes one file, JSON or YAML, strictly: unknown fields and wrong types are
// problems.
func decodeFile(name string, src []byte, isJSON bool) (fd *fileDoc, loc *locator, problem *Problem) {
	// The YAML library panics on some malformed input (found by FuzzLoadAndValidate): a bad
	// file is a problem to report, never a crash.
	defer func() {
		if p := recover(); p != nil {
			fd, loc, problem = nil, nil, &Problem{File: name, Msg: fmt.Sprintf("the file could not be read as YAML (%v)", p)}
		}
	}()
	return decodeFileUnsafe(name, src, isJSON)
}

func decodeFileUnsafe(name string, src []byte, isJSON bool) (*fileDoc, *locator, *Problem) {
	if int64(len(src)) > maxFileBytes(isJSON) {
		return nil, nil, sizeProblem(name, int64(len(src)), isJSON)
	}
	if p := prescan(name, src); p != nil {
		return nil, nil, p
	}
	var fd fileDoc
	loc := &locator{src: src}
	if isJSON {
		if fd, ok := decodeJSON(src); ok {
			return fd, loc, nil
		}
		// Something in it is wrong, or merely unusual: decoded whole, as encoding/json reads
		// it, for the exact problem (or the same result).
		dec := json.NewDecoder(bytes.NewReader(src))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fd); err != nil {
			return nil, nil, &Problem{File: name, Line: jsonErrorLine(src, err), Msg: err.Error()}
		}
		if dec.More() {
			return nil, nil, &Problem{File: name, Line: lineAt(src, int(dec.InputOffset())), Msg: "trailing data after the JSON document"}
		}
		return &fd, loc, nil
	}
	file, err := parser.ParseBytes(src, 0)
	if err != nil {
		return nil, nil, yamlProblem(name, err)
	}
	loc.file = file
	// Parsing keeps an alias as one node; decoding would expand it. prescan refuses aliases
	// already: this catches any its reading of the text let through.
	if a := findAlias(file); a != nil {
		return nil, nil, &Problem{File: name, Line: a.GetToken().Position.Line, Msg: "an alias (*name): data files may not use YAML aliases; write the value out"}
	}
	if len(file.Docs) > 1 {
		return nil, nil, &Problem{File: name, Line: 1, Msg: "a data file holds one YAML document"}
	}
	if len(file.Docs) == 1 && file.Docs[0].Body != nil {
		if err := yaml.NodeToValue(file.Docs[0].Body, &fd, yaml.Strict()); err != nil {
			return nil, nil, yamlProblem(name, err)
		}
	}
	return &fd, loc, nil
}

// findAlias returns the first alias node of file, or nil.
func findAlias(file *ast.File) (found ast.Node) {
	for _, doc := range file.Docs {
		if doc.Body != nil && found == nil {
			ast.Walk(aliasFinder{&found}, doc.Body)
		}
	}
	return found
}

type aliasFinder struct{ found *ast.Node }

func (f aliasFinder) Visit(n ast.Node) ast.Visitor {
	if *f.found != nil {
		return nil
	}
	if a, ok := n.(*ast.AliasNode); ok && a.GetToken() != nil {
		*f.found = a
		return nil
	}
	return f
}

func yamlProblem(name string, err error) *Problem {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		return &Problem{File: name, Line: ye.GetToken().Position.Line, Msg: ye.GetMessage()}
	}
	return &Problem{File: name, Msg: err.Error()}
}

func jsonErrorLine(src []byte, err error) int {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return lineAt(src, int(se.Offset))
	case errors.As(err, &te):
		return lineAt(src, int(te.Offset))
	}
	return 0
}

func lineAt(src []byte, off int) int {
	if off > len(src) {
		off = len(src)
	}
	return bytes.Count(src[:off], []byte("\n")) + 1
}

// locator finds the line of a YAML path in one file. JSON files are parsed for positions only
// when a problem needs one, since large generated JSON files rarely have any.
type locator struct {
	src []byte
	// reread gets src back when it has been let go (see forget); sum and size tell whether
	// what it gets is what was decoded.
	reread func() ([]byte, error)
	sum    uint32
	size   int
	once   sync.Once
	file   *ast.File
}

// forget lets src go: reread gets it back if a line is ever needed.
func (l *locator) forget(reread func() ([]byte, error)) {
	l.sum, l.size = crc32.Checksum(l.src, crcTable), len(l.src)
	l.src, l.reread = nil, reread
}

var crcTable = crc32.MakeTable(crc32.Castagnoli)

func (l *locator) line(p string) (line int) {
	if l == nil {
		return 0
	}
	// As in decodeFile: the YAML library's panics cost the message its line, nothing more.
	defer func() {
		if recover() != nil {
			line = 0
		}
	}()
	l.once.Do(func() {
		src := l.src
		if src == nil && l.reread != nil {
			b, err := l.reread()
			if err != nil || len(b) != l.size || crc32.Checksum(b, crcTable) != l.sum {
				return // changed since: no line rather than a wrong one
			}
			src = b
		}
		if l.file == nil && src != nil {
			l.file, _ = parser.ParseBytes(src, 0)
		}
	})
	if l.file == nil {
		return 0
	}
	// Walk up the path until a node exists: a missing field is reported at its record.
	for p != "" && p != "$" {
		yp, err := yaml.PathString(p)
		if err == nil {
			if n, err := yp.FilterFile(l.file); err == nil && n != nil && n.GetToken() != nil {
				return n.GetToken().Position.Line
			}
		}
		p = parentPath(p)
	}
	return 0
}

func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i <= 0 {
		return ""
	}
	return p[:i]
}

func itoa(i int) string { return strconv.Itoa(i) }

// Problem is one thing wrong with a dataset, located as precisely as the input allows.
type Problem struct {
	File string
	Line int
	// Field is the record's field, e.g. "technologies[3].vendor", when known.
	Field string
	Msg   string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteString(":" + strconv.Itoa(p.Line))
		}
		b.WriteString(": ")
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found; it is an error so that callers can return it as one.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}
