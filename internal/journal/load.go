package journal

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"
)

// Loading a journal of a million rows means checking two million lines.
// One goroutine reads the file in chunks cut at line ends, a few parse them
// in parallel into index entries, and the caller applies the entries to the
// index in file order, so the latest record of a key still wins.

// chunkSize is a variable for tests.
var chunkSize = 512 << 10

// chunk is a run of whole lines of the file and what parsing found in it.
type chunk struct {
	off  int64  // file offset of data[0]
	data []byte // whole lines, newlines included
	buf  []byte // data's storage

	entries []indexEntry  // for the lines before bad
	runs    []runMark     // the run records before bad
	lines   int           // lines before bad
	bad     *CorruptError // the first undecodable line; Line counts from the chunk's start
	badEnd  int64         // file offset just after the bad line
	done    chan struct{}
}

type loader struct {
	f    *os.File
	path string
	size int64 // bytes to read

	free    chan *chunk // chunks not in use: bounds the memory in flight
	work    chan *chunk // to the parsers
	ordered chan *chunk // to the caller, in file order
	quit    chan struct{}
	wg      sync.WaitGroup
	readErr error
}

// load reads the journal into the index and sets j.size to the end of the
// last good record. It returns the size of the file it read.
func (j *Journal) load() (int64, error) {
	fi, err := j.f.Stat()
	if err != nil {
		return 0, err
	}
	parsers := min(runtime.GOMAXPROCS(0), 4)
	n := 2*parsers + 2
	l := &loader{
		f: j.f, path: j.path, size: fi.Size(),
		free: make(chan *chunk, n), work: make(chan *chunk, n), ordered: make(chan *chunk, n),
		quit: make(chan struct{}),
	}
	for range n {
		l.free <- &chunk{done: make(chan struct{}, 1)}
	}
	l.wg.Add(1 + parsers)
	go l.read()
	for range parsers {
		go l.parse()
	}
	var ib indexBuilder
	bad := j.apply(l, &ib)
	close(l.quit)
	l.wg.Wait()
	switch {
	case l.readErr != nil:
		return 0, l.readErr
	case bad != nil && bad.end < l.size:
		return 0, bad.err // something follows it: damage, not a torn tail
	}
	large := ib.n >= 1<<18
	j.index = ib.build()
	if large {
		// Building the index left as much garbage as the index itself.
		// Collect it now: otherwise the heap may grow to twice that again
		// before the collector next runs, during the caller's lookups.
		runtime.GC()
	}
	return l.size, nil
}

type badLine struct {
	err *CorruptError
	end int64
}

// apply collects the parsed chunks' entries, in order, up to the first
// undecodable line.
func (j *Journal) apply(l *loader, ib *indexBuilder) *badLine {
	lines := 0
	for c := range l.ordered {
		<-c.done
		ib.add(c.entries)
		j.runs = append(j.runs, c.runs...)
		lines += c.lines
		j.stats.Records += c.lines
		if c.bad != nil {
			c.bad.Line += lines
			j.size = c.bad.Offset
			return &badLine{c.bad, c.badEnd}
		}
		j.size = c.off + int64(len(c.data))
		l.free <- c
	}
	return nil
}

// read cuts the file into chunks of whole lines. A last line without its
// newline is left out: it is a torn tail.
func (l *loader) read() {
	defer l.wg.Done()
	defer close(l.work)
	defer close(l.ordered)
	var carry []byte // the start of a line the last chunk cut
	for off := int64(0); off < l.size; {
		var c *chunk
		select {
		case c = <-l.free:
		case <-l.quit:
			return
		}
		if need := max(chunkSize, 2*len(carry)); cap(c.buf) < need {
			c.buf = make([]byte, need)
		}
		c.buf = c.buf[:cap(c.buf)]
		c.off = off - int64(len(carry))
		n := copy(c.buf, carry)
		for {
			if n == len(c.buf) { // one line fills the buffer
				c.buf = slices.Grow(c.buf, n)
				c.buf = c.buf[:cap(c.buf)]
			}
			want := min(int64(len(c.buf)-n), l.size-off)
			m, err := l.f.ReadAt(c.buf[n:n+int(want)], off)
			n += m
			off += int64(m)
			if err == io.EOF {
				l.size = off // the file shrank while we read it
			} else if err != nil {
				l.readErr = err
				return
			}
			end := bytes.LastIndexByte(c.buf[:n], '\n') + 1
			if end > 0 || off >= l.size {
				c.data = c.buf[:end]
				carry = append(carry[:0], c.buf[end:n]...)
				break
			}
		}
		if len(c.data) == 0 {
			return
		}
		select {
		case l.ordered <- c:
			l.work <- c // never blocks: as many slots as chunks
		case <-l.quit:
			return
		}
	}
}

// parse turns chunks into index entries and run marks. A key's intent and
// outcome are usually in the same chunk: only the later of them becomes
// an entry, which says where the intent is if the outcome completes it.
func (l *loader) parse() {
	defer l.wg.Done()
	seen := make(map[uint64]int) // key -> index in c.entries
	var raw rawLine
	for c := range l.work {
		clear(seen)
		c.entries, c.runs, c.lines, c.bad = c.entries[:0], c.runs[:0], 0, nil
		off := c.off
		for data := c.data; len(data) > 0; {
			i := bytes.IndexByte(data, '\n')
			if err := c.add(seen, off, data[:i], &raw); err != nil {
				c.bad = &CorruptError{Path: l.path, Line: 1, Offset: off, Err: err}
				c.badEnd = off + int64(i) + 1
				break
			}
			c.lines++
			off += int64(i) + 1
			data = data[i+1:]
		}
		c.done <- struct{}{}
	}
}

// add notes the record on line b, at off.
func (c *chunk) add(seen map[uint64]int, off int64, b []byte, raw *rawLine) error {
	var key, kind uint64
	if fastLine(b, raw) {
		action, id := raw.key(b)
		if len(id) == 0 {
			return fmt.Errorf("%w: intent or outcome without id", errShape)
		}
		key, kind = hashKey(action, id), raw.kind(b)
	} else {
		d, err := decodeJSON(b)
		if err != nil {
			return err
		}
		if kind = kindOf(&d); kind == 0 {
			c.runs = append(c.runs, runMark{off, contextOf(&d.Record)})
			return nil
		}
		key = hashKey(d.Action, d.ID)
	}
	k, ok := seen[key]
	val := makeLoc(off, kind, 0)
	if kind == kindPartial {
		val = makeLoc(off, kind, backPrevious) // its intent is in an earlier chunk
		if ok {
			var near bool
			if val, near = partialLoc(off, loc(c.entries[k].val)); !near {
				// Keep both: build finds the intent and keeps it far.
				val, ok = makeLoc(off, kind, backPrevious), false
			}
		}
	}
	if ok {
		c.entries[k] = indexEntry{key, uint64(val)}
		return nil
	}
	seen[key] = len(c.entries)
	c.entries = append(c.entries, indexEntry{key, uint64(val)})
	return nil
}
