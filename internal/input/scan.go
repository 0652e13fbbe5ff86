package input

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"slices"
)

// MaxProblems is how many problems a Scan lists; the rest are only
// counted.
const MaxProblems = 100

// Scan is what checking a whole input file found.
type Scan struct {
	File         string
	Format       Format
	Rows         int // valid data rows
	PerAction    map[Action]int
	Days         int64     // sum of days over add_free_days rows
	Memberships  int       // distinct membership IDs over the file (both actions)
	SHA256       string    // hex SHA-256 of the file's bytes
	Size         int64     // how many bytes the scan checked
	Extra        []string  // carried columns: CSV header order; JSONL first-seen key order
	Problems     []Problem // at most MaxProblems, in line order
	ProblemCount int       // all problems found

	kinds []ProblemKind     // all problems by kind, in the order first met
	kind  map[string]int    // index in kinds
	both  map[uint64]uint32 // hashes of the memberships with rows of both actions
}

// ProblemKinds counts all the problems found by kind, the most frequent
// kind first (kinds as frequent, in the order first met).
func (s *Scan) ProblemKinds() []ProblemKind {
	kinds := slices.Clone(s.kinds)
	slices.SortStableFunc(kinds, func(a, b ProblemKind) int { return cmp.Compare(b.Count, a.Count) })
	return kinds
}

// BothActions says whether id has rows of both actions in the file: the
// (usually few) memberships a report must not count twice.
func (s *Scan) BothActions(id string) bool {
	_, ok := s.both[idHash(id)&^seenFlags]
	return ok
}

// ScanFile reads the file at path once, streaming, and checks every row.
// With noNull, a metadata value may not be null (the caller knows that the
// API would have to merge it, and the API documents no way to delete one
// key). The error is for I/O only (a missing or unreadable file); problems
// with the input are in Problems.
func ScanFile(path string, f Format, noNull bool) (*Scan, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	n := &counter{r: file}
	s, err := scan(path, n, f, noNull)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	s.Size = n.n
	return s, nil
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func scan(name string, r io.Reader, f Format, noNull bool) (*Scan, error) {
	in, err := newInputStream(r)
	if err != nil {
		return nil, err
	}
	dec, err := newDecoder(in, f, nil, false)
	if err != nil {
		return nil, err
	}
	s := &Scan{File: name, Format: f, PerAction: map[Action]int{}}
	chk := newChecker()
	chk.noNull = noNull
	sawRow := false
	for {
		raw, err := dec.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		sawRow = true
		row, probs := chk.check(raw)
		for _, p := range probs {
			s.add(raw.line, p)
		}
		if probs == nil {
			s.Rows++
			s.PerAction[row.Action]++
			s.Days += int64(row.Days)
		}
	}
	if !sawRow {
		s.add(1, faultOf("no data rows"))
	}
	if err := in.drain(); err != nil {
		return nil, err
	}
	s.Memberships = chk.seen.n
	s.both = chk.seen.second
	s.Extra = dec.carried()
	s.SHA256 = in.sum()
	return s, nil
}

func (s *Scan) add(line int, f fault) {
	s.ProblemCount++
	if len(s.Problems) < MaxProblems {
		s.Problems = append(s.Problems, Problem{File: s.File, Line: line, Msg: f.msg})
	}
	i, ok := s.kind[f.kind]
	if !ok {
		if s.kind == nil {
			s.kind = map[string]int{}
		}
		i = len(s.kinds)
		s.kind[f.kind] = i
		s.kinds = append(s.kinds, ProblemKind{Kind: f.kind})
	}
	s.kinds[i].Count++
}
