package knowledge

import (
	"errors"
	"slices"
	"testing"
)

func TestWindowBoundsAndDefaults(t *testing.T) {
	w := Window{}
	p, err := w.Args(ListCursor)
	if err != nil || p.Limit != DefaultPageSize || p.FromEnd {
		t.Fatalf("no window: %+v %v", p, err)
	}
	if p, err := (Window{Last: ptr(3)}).Args(ListCursor); err != nil || p.Limit != 3 || !p.FromEnd {
		t.Fatalf("last 3: %+v %v", p, err)
	}
	if p, err := (Window{First: ptr(MaxPageSize)}).Args(ListCursor); err != nil || p.Limit != MaxPageSize {
		t.Fatalf("first max: %+v %v", p, err)
	}
	_, err = Window{First: ptr(MaxPageSize + 1)}.Args(ListCursor)
	wantBound(t, err, "first", 0, MaxPageSize, MaxPageSize+1)
	_, err = Window{Last: ptr(-1)}.Args(ListCursor)
	wantBound(t, err, "last", 0, MaxPageSize, -1)
	if _, err := (Window{First: ptr(1), Last: ptr(1)}).Args(ListCursor); !errors.Is(err, ErrBadInput) {
		t.Fatalf("first and last: %v", err)
	}
}

func TestCursorsBelongToOneKindOfList(t *testing.T) {
	c := EncodeCursor(ListCursor, []byte("abc"))
	p, err := Window{After: &c}.Args(ListCursor)
	if err != nil || string(p.After) != "abc" {
		t.Fatalf("own cursor: %+v %v", p, err)
	}
	for name, w := range map[string]Window{
		"another list's": {After: &c},
		"not base64":     {Before: ptr("%%")},
		"too long":       {After: ptr(EncodeCursor(EdgeCursor, make([]byte, MaxCursorLength)))},
		"empty":          {After: ptr("")},
	} {
		if _, err := w.Args(EdgeCursor); !errors.Is(err, ErrBadInput) {
			t.Errorf("%s cursor: %v", name, err)
		}
	}
}

func TestPageSlugs(t *testing.T) {
	all := []string{"a", "b", "c", "d", "e"}
	p, err := PageSlugs(all, Window{First: ptr(2)})
	if err != nil || !slices.Equal(p.Items, []string{"a", "b"}) || !p.HasNextPage || p.HasPreviousPage || p.Total != 5 {
		t.Fatalf("first page: %+v %v", p, err)
	}
	q, err := PageSlugs(all, Window{First: ptr(10), After: &p.Cursors[1]})
	if err != nil || !slices.Equal(q.Items, []string{"c", "d", "e"}) || q.HasNextPage || !q.HasPreviousPage {
		t.Fatalf("after b: %+v %v", q, err)
	}
	r, err := PageSlugs(all, Window{Last: ptr(2), Before: &q.Cursors[2]})
	if err != nil || !slices.Equal(r.Items, []string{"c", "d"}) {
		t.Fatalf("last 2 before e: %+v %v", r, err)
	}
}

// FuzzCursor: decoding never panics and refuses a cursor of another kind.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{EncodeCursor(ListCursor, []byte{1, 'a', 0, 1, 2, 3, 4, 5, 6, 7, 8}), EncodeCursor(EdgeCursor, []byte("x")), "", "%%", "TA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		b, err := decodeCursor(ListCursor, &c, "after")
		if err == nil {
			again := EncodeCursor(ListCursor, b)
			if b2, err := decodeCursor(ListCursor, &again, "after"); err != nil || string(b2) != string(b) {
				t.Fatalf("cursor %q does not survive re-encoding", c)
			}
			if _, err := decodeCursor(EdgeCursor, &c, "after"); err == nil {
				t.Fatalf("one cursor accepted by two lists: %q", c)
			}
		}
	})
}
