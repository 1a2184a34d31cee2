package knowledge

import (
	"errors"
	"fmt"
)

// The kinds of the caller's mistakes: every error this package returns for bad arguments
// matches ErrBadInput with errors.Is, and every error for something that does not exist matches
// ErrNotFound. Anything else is a failure of the store (or the context's error).
var (
	ErrBadInput = errors.New("bad input")
	ErrNotFound = errors.New("not found")
)

// callerError is a mistake of the caller's, with a message meant for them.
type callerError struct {
	kind error
	msg  string
}

func (e *callerError) Error() string { return e.msg }
func (e *callerError) Unwrap() error { return e.kind }

func badInput(format string, args ...any) error {
	return &callerError{kind: ErrBadInput, msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error {
	return &callerError{kind: ErrNotFound, msg: fmt.Sprintf(format, args...)}
}

// BoundError is an argument outside its bounds (see bounds.go). It matches ErrBadInput.
type BoundError struct {
	// Arg names the bounded argument, or what of it is bounded ("first", "maxDepth",
	// "compare ids", "text length"): the API shows it as the limit's name.
	Arg      string
	Min, Max int
	Actual   int
}

// Error names the argument, its bounds and the value given.
func (e *BoundError) Error() string {
	return fmt.Sprintf("%s must be between %d and %d, got %d", e.Arg, e.Min, e.Max, e.Actual)
}

// Unwrap makes a BoundError match ErrBadInput.
func (e *BoundError) Unwrap() error { return ErrBadInput }

// within returns a *BoundError when v is outside [lo, hi].
func within(arg string, v, lo, hi int) error {
	if v < lo || v > hi {
		return &BoundError{Arg: arg, Min: lo, Max: hi, Actual: v}
	}
	return nil
}

// orDefault is *p, or def when p is nil (the argument was not given).
func orDefault(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}
