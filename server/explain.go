package server

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// suggestion is the "Did you mean …?" that gqlparser's validation rules append: it names
// fields, arguments, types and enum values, which a server without introspection keeps to
// itself.
var suggestion = regexp.MustCompile(` Did you mean [^?]*\?$`)

// maxShownValue bounds how much of a sent value an error quotes back.
const maxShownValue = 64

// explainErrors rewrites request errors before they are shown: an error about a variable names
// the value that was sent (gqlparser says only "cannot use string as Int"), and with
// hideSchema no message suggests a name of the schema.
func explainErrors(errs gqlerror.List, vars map[string]any, hideSchema bool) {
	for _, e := range errs {
		if hideSchema {
			e.Message = suggestion.ReplaceAllString(e.Message, "")
		}
		if len(e.Path) < 2 || e.Path[0] != ast.PathName("variable") {
			continue
		}
		where, v, ok := valueAt(e.Path[1:], vars)
		if !ok {
			continue
		}
		if s, ok := v.(string); ok && len(s) > maxShownValue && strings.HasPrefix(e.Message, s) {
			// "<value> is not a valid <Enum>": the value is quoted below, cut short.
			e.Message = "the value" + e.Message[len(s):]
		}
		e.Message += "; " + where + " was sent as " + shown(v)
	}
}

// valueAt follows an error path (variable name, then fields and list indexes) into the variables.
func valueAt(path ast.Path, vars map[string]any) (string, any, bool) {
	var b strings.Builder
	var cur any = vars
	for i, el := range path {
		switch p := el.(type) {
		case ast.PathName:
			m, ok := cur.(map[string]any)
			if !ok {
				return "", nil, false
			}
			if cur, ok = m[string(p)]; !ok {
				return "", nil, false
			}
			if i == 0 {
				b.WriteString("$" + string(p))
			} else {
				b.WriteString("." + string(p))
			}
		case ast.PathIndex:
			l, ok := cur.([]any)
			if !ok || int(p) < 0 || int(p) >= len(l) {
				return "", nil, false
			}
			cur = l[p]
			b.WriteString("[" + itoa(int64(p)) + "]")
		}
	}
	return b.String(), cur, true
}

// shown is a value as JSON, cut short.
func shown(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "an unreadable value"
	}
	if len(b) > maxShownValue {
		cut := maxShownValue
		for cut > 0 && b[cut]&0xC0 == 0x80 {
			cut-- // never split a UTF-8 sequence
		}
		return string(b[:cut]) + "…"
	}
	return string(b)
}
