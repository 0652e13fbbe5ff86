package input

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// jsonlDecoder reads one JSON object per line. Lines are split by hand
// (bufio.Reader.ReadSlice) rather than with json.Decoder so each object is
// tied to its physical line, a broken line cannot swallow the next one, and
// duplicate keys can be refused. Each line is checked with json.Valid and
// walked, member by member, with a json.Decoder.
type jsonlDecoder struct {
	in    *inputStream
	line  int    // physical line last read
	long  []byte // a line longer than the read buffer
	done  bool
	fixed bool           // the carried keys must be among names
	names []string       // carried keys, in first-seen order
	index map[string]int // position of each carried key in names
	keys  keySet         // keys of the current line
	lines valueStream    // the lines, for a json.Decoder
	val   json.RawMessage
	extra []carriedValue // carried values of the current line
}

// errLineTooLong stops a JSONL line that outgrows maxLineBytes.
var errLineTooLong = errors.New("line too long")

func newJSONLDecoder(in *inputStream, extra []string, fixed bool) *jsonlDecoder {
	d := &jsonlDecoder{in: in, fixed: fixed, index: map[string]int{}}
	for _, name := range extra {
		d.index[name] = len(d.names)
		d.names = append(d.names, name)
	}
	return d
}

func (d *jsonlDecoder) carried() []string { return d.names }

func (d *jsonlDecoder) next() (rawRow, error) {
	if d.done {
		return rawRow{}, io.EOF
	}
	for {
		b, newline, err := d.readLine()
		switch {
		case err == io.EOF:
			d.done = true
			return rawRow{}, io.EOF
		case err == errLineTooLong:
			d.done = true
			return rawRow{line: d.line, probs: []fault{tooLong("line")}}, nil
		case err != nil:
			return rawRow{}, err
		}
		if len(bytes.TrimLeft(b, " \t\r\n")) == 0 {
			continue // blank line
		}
		return d.parse(b, newline), nil
	}
}

// readLine returns the next physical line without its line break, and
// whether it had one.
func (d *jsonlDecoder) readLine() ([]byte, bool, error) {
	b, err := d.in.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		d.long = append(d.long[:0], b...)
		for err == bufio.ErrBufferFull && len(d.long) <= maxLineBytes+1 {
			b, err = d.in.br.ReadSlice('\n')
			d.long = append(d.long, b...)
		}
		b = d.long
	}
	if len(b) == 0 && err != nil {
		return nil, false, err
	}
	d.line++
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, false, err
	}
	newline := bytes.HasSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) > maxLineBytes {
		return nil, false, errLineTooLong
	}
	return b, newline, nil
}

// parse checks the line and splits its object into the known values and
// the carried ones.
func (d *jsonlDecoder) parse(b []byte, newline bool) rawRow {
	raw := rawRow{line: d.line, jsonValues: true}
	problem := func(f fault) rawRow {
		raw.probs = append(raw.probs, f)
		return raw
	}
	switch {
	case !utf8.Valid(b):
		return problem(faultOf("line is not valid UTF-8"))
	case !json.Valid(b):
		msg := "line is not valid JSON: " + jsonError(b)
		if !newline {
			msg += " (the last line has no line break: is the file cut short?)"
		}
		return problem(fault{kind: "line is not valid JSON", msg: msg})
	case jsonKind(b) != "an object":
		return problem(faultf("line must be a JSON object", "line must be a JSON object, got %s", jsonKind(b)))
	}
	if err := d.members(b, &raw); err != nil { // not after json.Valid; but then the Decoder is spent
		d.lines.drop()
		return problem(faultf("line is not valid JSON", "line is not valid JSON: %v", err))
	}
	return raw
}

// members reads the members of the object b into raw, in order.
func (d *jsonlDecoder) members(b []byte, raw *rawRow) error {
	dec := d.lines.next(b)
	if _, err := dec.Token(); err != nil { // the opening brace
		return err
	}
	d.keys.reset()
	d.extra = d.extra[:0]
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key := tok.(string)
		if err := dec.Decode(&d.val); err != nil {
			return err
		}
		if !d.keys.add(key) {
			raw.probs = append(raw.probs, faultf("line has a key twice", "line has the key %s twice", shortQuote(key)))
			continue
		}
		d.member(raw, key, d.val)
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return err
	}
	if len(d.names) > 0 {
		raw.extra = make([]string, len(d.names))
		for _, c := range d.extra {
			raw.extra[c.i] = c.text
		}
	}
	return nil
}

// carriedValue is the value of a carried key on the current line.
type carriedValue struct {
	i    int // in names
	text string
}

// member sets the value of one key of the line.
func (d *jsonlDecoder) member(raw *rawRow, key string, val []byte) {
	switch key {
	case "membership_id":
		raw.id = rawValue{string(val), true}
	case "days":
		raw.days = rawValue{string(val), true}
	case "metadata":
		raw.meta = rawValue{string(val), true}
	default:
		i, f := d.carry(key)
		if f.msg != "" {
			raw.probs = append(raw.probs, f)
		} else {
			d.extra = append(d.extra, carriedValue{i, extraText(val)})
		}
	}
}

// carry returns the position of a carried key in names, adding it when
// names are still being collected.
func (d *jsonlDecoder) carry(key string) (int, fault) {
	if i, ok := d.index[key]; ok {
		return i, fault{}
	}
	if d.fixed {
		return 0, faultf("a key was not in the file when it was checked",
			"key %s was not in the file when it was checked", shortQuote(key))
	}
	if len(d.names) == maxExtraKeys {
		return 0, faultOf(fmt.Sprintf("too many distinct keys besides membership_id, days and metadata (at most %d)", maxExtraKeys))
	}
	d.index[key] = len(d.names)
	d.names = append(d.names, key)
	return len(d.names) - 1, fault{}
}
