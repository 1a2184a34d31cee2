package graph

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/trendgraph/trendgraph/graph/model"
	"github.com/trendgraph/trendgraph/knowledge"
	"github.com/trendgraph/trendgraph/store"
)

// userError is an error meant for the caller, with a stable code and, for a limit, what the
// limit is (extensions limit, max and actual).
type userError struct {
	code string
	msg  string
	ext  map[string]any
}

func (e *userError) Error() string { return e.msg }

func badInput(format string, args ...any) error {
	return &userError{code: CodeBadUserInput, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &userError{code: CodeNotFound, msg: fmt.Sprintf(format, args...)}
}

// callerError is err as an error meant for the caller, or nil: ours, or the query layer's
// (knowledge), whose bounds carry the limit, max and actual as the server's limits do.
func callerError(err error) *userError {
	// A resolver's error reaches the presenter inside gqlgen's, whose Error() adds the location
	// and path to the message: the caller gets the resolver's own message, as for every field.
	var gerr *gqlerror.Error
	if errors.As(err, &gerr) && gerr.Err != nil {
		err = gerr.Err
	}
	var ue *userError
	if errors.As(err, &ue) {
		return ue
	}
	var be *knowledge.BoundError
	var invalid *knowledge.ValidationError
	var conflict *knowledge.ConflictError
	switch {
	case errors.As(err, &invalid):
		return validationError(invalid)
	case errors.Is(err, store.ErrReadOnly):
		return &userError{code: CodeReadOnly, msg: err.Error()}
	case errors.As(err, &conflict):
		ext := map[string]any{"record": conflict.Record.String(), "currentRevision": conflict.Current}
		if conflict.Expected != 0 {
			ext["expectedRevision"] = conflict.Expected
		}
		return &userError{code: CodeConflict, msg: conflict.Error(), ext: ext}
	case errors.As(err, &be):
		return &userError{code: CodeBadUserInput, msg: be.Error(), ext: map[string]any{"limit": be.Arg, "max": be.Max, "actual": be.Actual}}
	case errors.Is(err, knowledge.ErrBadInput):
		return &userError{code: CodeBadUserInput, msg: err.Error()}
	case errors.Is(err, knowledge.ErrNotFound):
		return &userError{code: CodeNotFound, msg: err.Error()}
	}
	return nil
}

// ErrorPresenter shows callers only errors meant for them, each with a stable
// extensions.code; anything else is logged with its path and shown as an internal error, so
// that no detail of the store leaks.
func ErrorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		ue := callerError(err)
		if ue != nil {
			gerr := graphql.DefaultErrorPresenter(ctx, err)
			gerr.Message = ue.msg
			gerr.Extensions = map[string]any{"code": ue.code}
			for k, v := range ue.ext {
				gerr.Extensions[k] = v
			}
			return gerr
		}
		if msg, ok := enumInputError(err); ok {
			gerr := graphql.DefaultErrorPresenter(ctx, err)
			gerr.Message = msg
			gerr.Extensions = map[string]any{"code": CodeBadUserInput}
			return gerr
		}
		var ie model.InputError
		if errors.As(err, &ie) {
			gerr := graphql.DefaultErrorPresenter(ctx, err)
			gerr.Message = ie.Error()
			gerr.Extensions = map[string]any{"code": CodeBadUserInput}
			return gerr
		}
		var gerr *gqlerror.Error
		if errors.As(err, &gerr) && gerr.Err == nil {
			// Parse, validation and argument-coercion errors from gqlgen itself.
			if gerr.Extensions == nil {
				gerr.Extensions = map[string]any{}
			}
			if _, ok := gerr.Extensions["code"]; !ok {
				gerr.Extensions["code"] = CodeBadUserInput
			}
			return gerr
		}
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			out := graphql.DefaultErrorPresenter(ctx, err)
			out.Message = "the request was cancelled or timed out"
			out.Extensions = map[string]any{"code": CodeTimeout}
			return out
		}
		out := graphql.DefaultErrorPresenter(ctx, err)
		log.ErrorContext(ctx, "internal error", "path", out.Path.String(), "err", err)
		out.Message = "internal error"
		out.Extensions = map[string]any{"code": CodeInternal}
		return out
	}
}

// RecoverFunc turns a resolver panic into a logged internal error instead of a crash.
func RecoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", p)
		return errors.New("internal error")
	}
}

// validationError lists every problem of a change with its field path in the mutation's
// input ("input.vendor", "input.citations[0].section"), in extensions.problems.
func validationError(e *knowledge.ValidationError) *userError {
	problems := make([]map[string]any, len(e.Problems))
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		field := inputField(p.Problem.Field)
		problems[i] = map[string]any{"field": field, "message": p.Msg, "record": p.Record.String()}
		if p.Record.Key == "" {
			delete(problems[i], "record")
		}
		msgs[i] = field + ": " + p.Msg
	}
	return &userError{code: CodeBadUserInput, msg: "invalid input: " + strings.Join(msgs, "; "), ext: map[string]any{"problems": problems}}
}

// inputField maps a record's field as the dataset names it onto the mutation input's path.
func inputField(field string) string {
	field = strings.TrimPrefix(field, ".")
	switch {
	case field == "":
		return "input"
	case field == "description":
		// A technology's summary is its description in the data files.
		field = "summary"
	case field == "type":
		// A tradeoff's type is tradeoffType in the API.
		field = "tradeoffType"
	}
	return "input." + field
}

// enumMessage is the message gqlgen's generated enum decoders give a value that is not one of
// the enum's (validation lets through a variable whose case differs, "DATABAsE").
var enumMessage = regexp.MustCompile(`^(.*) is not a valid ([A-Z][A-Za-z]*)$|^enums must be strings$`)

// enumInputError says whether err is a generated enum decoder's refusal of an argument: the
// caller's mistake, not ours.
func enumInputError(err error) (string, bool) {
	var gerr *gqlerror.Error
	if !errors.As(err, &gerr) || gerr.Err == nil {
		return "", false
	}
	m := enumMessage.FindStringSubmatch(gerr.Err.Error())
	if m == nil {
		return "", false
	}
	if m[2] == "" {
		return "an enum value must be a string", true
	}
	return fmt.Sprintf("%q is not a value of %s (enum values are upper case, such as DATABASE)", m[1], m[2]), true
}

// sortErrors puts errors in the order of their paths: field names alphabetically, list
// indexes in order, a path before those it leads to, errors without a path first. Fields that
// resolve side by side (list elements that wait on loaders, root fields) report errors in
// whatever order they finish; sorted, the same query over the same data gives the same bytes.
// Errors at the same path keep the order they were made in.
func sortErrors(errs gqlerror.List) {
	if len(errs) < 2 {
		return
	}
	slices.SortStableFunc(errs, func(a, b *gqlerror.Error) int { return comparePaths(a.Path, b.Path) })
}

func comparePaths(a, b ast.Path) int {
	for i := range min(len(a), len(b)) {
		if c := comparePathElements(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// comparePathElements orders names before indexes, which never meet under one parent.
func comparePathElements(a, b ast.PathElement) int {
	switch a := a.(type) {
	case ast.PathName:
		if b, ok := b.(ast.PathName); ok {
			return strings.Compare(string(a), string(b))
		}
		return -1
	case ast.PathIndex:
		if b, ok := b.(ast.PathIndex); ok {
			return cmp.Compare(a, b)
		}
		return 1
	}
	return 0
}
