package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/trendgraph/trendgraph/domain"
)

// SourceText is a source document split into sections and paragraphs, the units that
// citations point at.
type SourceText struct {
	Sections []Section
	// shingleSet holds every run of CopiedRunWords words of the text, for the copied-text check.
	shingleSet map[string]bool
}

// Section is the text under one heading.
type Section struct {
	Heading    string
	Paragraphs []string
}

// ReadSourceText reads and parses a source text file; title is the source's title, which names
// the section of the introduction (see ParseSourceText).
func ReadSourceText(file, title string) (*SourceText, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read source text: %w", err)
	}
	return ParseSourceText(string(b), title), nil
}

// ParseSourceText splits a plain-text article into sections. Every non-empty line is either a
// heading (it does not end like a sentence) or a paragraph. Paragraphs belong to the nearest
// heading above them. The run of headings before the first paragraph is the front matter
// (publisher, title, date): when it holds the title, the introduction is the title's section.
func ParseSourceText(text, title string) *SourceText {
	st := &SourceText{shingleSet: shingles(words(text))}
	var frontMatter []string
	inFront := true
	for _, raw := range strings.Split(text, "\n") {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		if isHeading(line) {
			if inFront {
				frontMatter = append(frontMatter, line)
				continue
			}
			st.Sections = append(st.Sections, Section{Heading: line})
			continue
		}
		if inFront {
			inFront = false
			heading := ""
			for _, h := range frontMatter {
				if h == title {
					heading = h
				}
			}
			if heading == "" && len(frontMatter) > 0 {
				heading = frontMatter[len(frontMatter)-1]
			}
			st.Sections = append(st.Sections, Section{Heading: heading})
		}
		last := &st.Sections[len(st.Sections)-1]
		last.Paragraphs = append(last.Paragraphs, line)
	}
	return st
}

func isHeading(line string) bool {
	if len(strings.Fields(line)) > 14 {
		return false
	}
	switch line[len(line)-1] {
	case '.', '!', '?', ':', ';', ',', '"', ')':
		return false
	}
	return !strings.HasSuffix(line, "”")
}

// Section returns the section with the heading, if there is exactly one.
func (st *SourceText) Section(heading string) (*Section, bool) {
	var found *Section
	for i := range st.Sections {
		if st.Sections[i].Heading == heading {
			if found != nil {
				return nil, false
			}
			found = &st.Sections[i]
		}
	}
	return found, found != nil
}

// Paragraph returns the text of a cited passage.
func (st *SourceText) Paragraph(heading string, n int) (string, bool) {
	s, ok := st.Section(heading)
	if !ok || n < 1 || n > len(s.Paragraphs) {
		return "", false
	}
	return s.Paragraphs[n-1], true
}

// CopiedRunWords is the length of a word run shared with the source that counts as copying.
const CopiedRunWords = 8

// CopiedRun returns the first run of CopiedRunWords or more consecutive words of text that also
// appears in the source, or "" when the text is in its own words.
func (st *SourceText) CopiedRun(text string) string {
	tw := words(text)
	for i := 0; i+CopiedRunWords <= len(tw); i++ {
		if st.shingleSet[strings.Join(tw[i:i+CopiedRunWords], " ")] {
			return strings.Join(tw[i:i+CopiedRunWords], " ")
		}
	}
	return ""
}

func shingles(ws []string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for i := 0; i+CopiedRunWords <= len(ws); i++ {
		m[strings.Join(ws[i:i+CopiedRunWords], " ")] = true
	}
	return m
}

// words lower-cases text and splits it into words of letters and digits, so that punctuation
// and case do not hide a copied sentence.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// ReadSourceTexts reads the text of each source of d from p: a directory holding each source's
// File, or one file that is the text of the default (or only) source. Sources whose file is not
// in the directory are left out of the map.
func ReadSourceTexts(d *Dataset, p string) (map[string]*SourceText, error) {
	info, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("read source text: %w", err)
	}
	texts := map[string]*SourceText{}
	if !info.IsDir() {
		var src *domain.Source
		for i := range d.Sources {
			if d.Sources[i].Default || len(d.Sources) == 1 {
				src = &d.Sources[i]
			}
		}
		if src == nil {
			return nil, fmt.Errorf("read source text %s: the dataset has no default source to match it to", p)
		}
		st, err := ReadSourceText(p, src.Title)
		if err != nil {
			return nil, err
		}
		texts[src.Slug] = st
		return texts, nil
	}
	for _, s := range d.Sources {
		if s.File == "" {
			continue
		}
		st, err := ReadSourceText(filepath.Join(p, s.File), s.Title)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		texts[s.Slug] = st
	}
	return texts, nil
}
