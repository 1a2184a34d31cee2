package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/trendgraph/trendgraph/domain"
)

// LoadReader reads one data file, JSON or YAML (told apart by its first character: '{' or '['
// begins JSON), from r. name stands for the file in problems, with line and field: "<stdin>",
// say. The file is held in memory until the dataset is let go, for the lines of problems found
// later (by Validate). Like LoadPath, it does not validate the dataset.
func LoadReader(r io.Reader, name string) (*Dataset, error) {
	limit := int64(max(MaxJSONFileBytes, MaxYAMLFileBytes))
	src, err := readAllBounded(r, -1, limit)
	if err != nil {
		return nil, fmt.Errorf("read dataset %s: %w", name, err)
	}
	isJSON := looksJSON(src)
	if int64(len(src)) > maxFileBytes(isJSON) {
		return nil, Problems{*sizeProblem(name, int64(len(src)), isJSON)}
	}
	fd, loc, p := decodeFile(name, src, isJSON)
	if p != nil {
		return nil, Problems{*p}
	}
	d := &Dataset{origins: origins{root: name}}
	d.add(fd, name, loc)
	return d, nil
}

// looksJSON tells a JSON document from YAML by its first character past white space and a
// byte order mark. YAML's flow style may begin with '{' too, and is then read as JSON: a YAML
// data file begins with a key.
func looksJSON(src []byte) bool {
	src = bytes.TrimLeft(bytes.TrimPrefix(src, []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(src) > 0 && (src[0] == '{' || src[0] == '[')
}

// decodeJSON decodes a JSON data file list by list and record by record, so that the decoder
// never holds a copy of the whole document (encoding/json's Decoder buffers a whole value
// before decoding it), and turns relationships into their final form as they come. It gives
// up (ok false) at anything unusual (an error, an unknown key, a key in another case, trailing
// data): the caller then decodes the document whole, as before, for the same result or the
// exact problem.
func decodeJSON(src []byte) (fd *fileDoc, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(src))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, false
	}
	fd = &fileDoc{}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		key, isKey := tok.(string)
		if err != nil || !isKey || seen[key] {
			return nil, false
		}
		seen[key] = true
		switch key {
		case "sources":
			ok = decodeList(dec, &fd.Sources)
		case "trends":
			ok = decodeList(dec, &fd.Trends)
		case "technologies":
			ok = decodeList(dec, &fd.Technologies)
		case "tradeoffs":
			ok = decodeList(dec, &fd.Tradeoffs)
		case "useCases":
			ok = decodeList(dec, &fd.UseCases)
		case "organizations":
			ok = decodeList(dec, &fd.Organizations)
		case "skills":
			ok = decodeList(dec, &fd.Skills)
		case "relationships":
			ok = decodeRelationships(dec, fd)
		case "radars":
			ok = decodeList(dec, &fd.Radars)
		case "assessments":
			ok = decodeList(dec, &fd.Assessments)
		default:
			ok = false
		}
		if !ok {
			return nil, false
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return fd, true
}

// decodeList decodes a JSON array of records (or null) into list.
func decodeList[T any](dec *json.Decoder, list *[]T) bool {
	return eachElement(dec, func() bool {
		var v T
		if err := dec.Decode(&v); err != nil {
			return false
		}
		*list = append(*list, v)
		return true
	})
}

// decodeRelationships decodes the relationships array into fd.listed, converted one by one.
// Their strings are interned: a million relationships name each end many times over.
func decodeRelationships(dec *json.Decoder, fd *fileDoc) bool {
	fd.listed, fd.badKinds = nil, nil
	in := interner{}
	return eachElement(dec, func() bool {
		var r relDoc
		if err := dec.Decode(&r); err != nil {
			return false
		}
		r.From, r.To, r.Rationale = in.get(r.From), in.get(r.To), in.get(r.Rationale)
		for i := range r.Citations {
			c := &r.Citations[i]
			c.Source, c.Section = in.get(c.Source), in.get(c.Section)
		}
		rel, bad := r.relationship()
		fd.listed = append(fd.listed, rel)
		fd.badKinds = append(fd.badKinds, bad)
		return true
	})
}

// eachElement calls fn to decode each element of the array the decoder is at; null is an
// empty array.
func eachElement(dec *json.Decoder, fn func() bool) bool {
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	if tok == nil {
		return true
	}
	if tok != json.Delim('[') {
		return false
	}
	for dec.More() {
		if !fn() {
			return false
		}
	}
	tok, err = dec.Token()
	return err == nil && tok == json.Delim(']')
}

// relationship is the record r describes, and its kind as written when that is not a kind
// (kept so that validation reports it where it is, instead of dropping it), else "".
func (r *relDoc) relationship() (domain.Relationship, string) {
	kind, ok := domain.ParseRelKind(r.Kind)
	bad := ""
	if !ok {
		kind, bad = 0, r.Kind
	}
	return domain.Relationship{From: r.From, Kind: kind, To: r.To, Rationale: r.Rationale, Citations: r.Citations}, bad
}

// interner makes equal strings share one copy. It stops taking new strings past a bound, so
// that a file of all different texts costs no more than a map of that bound.
type interner map[string]string

const maxInterned = 1 << 18

func (in interner) get(s string) string {
	if t, ok := in[s]; ok {
		return t
	}
	if len(in) < maxInterned {
		in[s] = s
	}
	return s
}
