package dataset

import (
	"bytes"
	"fmt"
	"strconv"
)

// Bounds a data file must keep, checked on its bytes before the YAML library sees it: the
// library's memory grows with the square of the nesting depth (120 KB of "[" took 5.5 GB) and
// with every expansion of an alias (a few lines of "billion laughs" expand without end).
const (
	// MaxYAMLFileBytes bounds a YAML data file. Curated files are tens of KB; larger datasets
	// (gen's synthetic ones) are JSON.
	MaxYAMLFileBytes = 16 << 20
	// MaxJSONFileBytes bounds a JSON data file, which encoding/json reads in linear time: gen's
	// dataset of 100k technologies is about 250 MB.
	MaxJSONFileBytes = 1 << 30
	// MaxNesting bounds how deep collections nest (flow "[" and "{", block sequences and
	// mappings together). The format itself nests 5 deep.
	MaxNesting = 64
)

// maxFileBytes is the bound of a data file by its format.
func maxFileBytes(json bool) int64 {
	if json {
		return MaxJSONFileBytes
	}
	return MaxYAMLFileBytes
}

// prescan refuses, before any parser runs, a file nesting deeper than MaxNesting or using an
// alias (*name): the curated format never needs one, and refusing them is simpler and safer
// than bounding their expansion. It reads YAML (and so JSON) just well enough to skip comments,
// quoted and block scalars, where "[" and "*" are text. It errs on the side of refusing: an
// unusual file it misreads gets a problem naming the line, which quoting the text there fixes.
func prescan(name string, src []byte) *Problem {
	var (
		flow   int   // open flow collections
		levels []int // columns of the open block collections, innermost last
		// Scalars still open at the end of a line: a quoted one (its quote), and the column a
		// block or plain scalar's continuation lines are indented past (-1 for none).
		quote       byte
		blockScalar = -1
		plainParent = -1
		lineNo      int
		tooDeep     = func() bool { return len(levels)+flow > MaxNesting }
		deepProblem = func(line int) *Problem {
			return &Problem{File: name, Line: line, Msg: "nesting deeper than " + strconv.Itoa(MaxNesting) + " levels: data files are refused past it, before parsing"}
		}
		aliasProblem = func(line int) *Problem {
			return &Problem{File: name, Line: line, Msg: "an alias (*name): data files may not use YAML aliases; write the value out (or quote text that starts with *)"}
		}
	)
	push := func(col int) {
		if len(levels) == 0 || col > levels[len(levels)-1] {
			levels = append(levels, col)
		}
	}
	top := func() int {
		if len(levels) == 0 {
			return -1
		}
		return levels[len(levels)-1]
	}
	for len(src) > 0 {
		lineNo++
		line := src
		if i := bytes.IndexByte(src, '\n'); i >= 0 {
			line, src = src[:i], src[i+1:]
		} else {
			src = nil
		}
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		blank := len(bytes.TrimSpace(line)) == 0
		i := 0
		switch {
		case quote != 0:
			// A quoted scalar continues from the line before.
		case blockScalar >= 0 && (blank || indent > blockScalar):
			continue
		case flow == 0 && plainParent >= 0 && !blank && indent > plainParent && line[indent] != '#':
			continue // a plain scalar's continuation line: text
		default:
			blockScalar, plainParent = -1, -1
			if blank {
				continue
			}
			if flow == 0 {
				if bytes.HasPrefix(line, []byte("---")) || bytes.HasPrefix(line, []byte("...")) || line[0] == '%' {
					levels = levels[:0]
					continue
				}
				for len(levels) > 0 && levels[len(levels)-1] > indent {
					levels = levels[:len(levels)-1]
				}
			}
			i = indent
		}
		nodeStart := quote == 0
		scalarCol := -1 // where the scalar just read began, for a key
		inPlain := false
	scan:
		for i < len(line) {
			c := line[i]
			if quote != 0 {
				// Inside a quoted scalar: find its end.
				for ; i < len(line); i++ {
					if quote == '"' && line[i] == '\\' {
						i++
						continue
					}
					if line[i] == quote {
						if quote == '\'' && i+1 < len(line) && line[i+1] == '\'' {
							i++
							continue
						}
						quote = 0
						i++
						break
					}
				}
				continue
			}
			spaceAfter := i+1 >= len(line) || line[i+1] == ' ' || line[i+1] == '\t' || line[i+1] == '\r'
			if c == ' ' || c == '\t' || c == '\r' {
				i++
				continue
			}
			if c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
				break scan
			}
			if flow > 0 {
				switch c {
				case '[', '{':
					flow++
					if tooDeep() {
						return deepProblem(lineNo)
					}
					nodeStart, inPlain = true, false
					i++
					continue
				case ']', '}':
					flow--
					nodeStart, inPlain = false, false
					i++
					continue
				case ',':
					nodeStart, inPlain = true, false
					i++
					continue
				case ':':
					if spaceAfter || !inPlain {
						nodeStart, inPlain = true, false
						i++
						continue
					}
				}
			} else if !nodeStart && c == ':' && spaceAfter {
				// The scalar before was a key: its mapping is a level.
				if scalarCol >= 0 {
					push(scalarCol)
					if tooDeep() {
						return deepProblem(lineNo)
					}
				}
				nodeStart, inPlain = true, false
				i++
				continue
			}
			if !nodeStart {
				i++
				continue
			}
			switch {
			case c == '*':
				return aliasProblem(lineNo)
			case c == '"' || c == '\'':
				quote, scalarCol, nodeStart = c, i, false
				i++
			case c == '&' || c == '!':
				for i < len(line) && line[i] != ' ' && line[i] != '\t' {
					i++
				}
			case c == '[' || c == '{':
				flow++
				if tooDeep() {
					return deepProblem(lineNo)
				}
				i++
			case flow == 0 && (c == '-' || c == '?') && spaceAfter:
				if c == '-' {
					push(i)
					if tooDeep() {
						return deepProblem(lineNo)
					}
				}
				i++
			case flow == 0 && (c == '|' || c == '>'):
				// A block scalar: the lines indented past its parent are its text.
				blockScalar = top()
				break scan
			default:
				nodeStart, inPlain, scalarCol = false, true, i
				i++
			}
		}
		if flow == 0 && inPlain {
			plainParent = top()
		}
	}
	return nil
}

// sizeProblem is the problem of a file past its size bound.
func sizeProblem(name string, size int64, json bool) *Problem {
	return &Problem{File: name, Msg: fmt.Sprintf("the file is %d bytes, more than the %d a data file may have: refused before parsing", size, maxFileBytes(json))}
}
