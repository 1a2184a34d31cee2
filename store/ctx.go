package store

import (
	"context"

	bolt "go.etcd.io/bbolt"
)

// checkEvery is how many steps of a long loop pass between two looks at the context: often
// enough that a cancelled request stops within a fraction of a millisecond, rarely enough that
// looking costs nothing measurable.
const checkEvery = 4096

// stepper lets a long loop stop when the request it serves ends. A nil stepper never stops.
type stepper struct {
	ctx context.Context
	n   int
}

// step counts one step of a loop and, every checkEvery steps, returns the context's error.
func (s *stepper) step() error {
	if s == nil {
		return nil
	}
	s.n++
	if s.n%checkEvery != 0 {
		return nil
	}
	return s.ctx.Err()
}

// now returns the context's error at once: between the coarse steps of a computation.
func (s *stepper) now() error {
	if s == nil {
		return nil
	}
	return s.ctx.Err()
}

// viewCtx runs fn in one counted read transaction, unless ctx has already ended: a request
// that is over opens nothing, and a transaction open at shutdown ends as soon as fn sees ctx end.
func (s *Store) viewCtx(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.view(fn)
}
