package batch

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"bulk/internal/jsontext"
)

// jsonlDecoder reads one JSON object per line. Lines are split by hand
// (bufio.Reader.ReadSlice) rather than with json.Decoder so each object is
// tied to its physical line, a broken line cannot swallow the next one, and
// duplicate keys can be refused.
type jsonlDecoder struct {
	in    *inputStream
	line  int    // physical line last read
	long  []byte // a line longer than the read buffer
	done  bool
	fixed bool           // the carried keys must be among names
	names []string       // carried keys, in first-seen order
	index map[string]int // position of each carried key in names
	keys  keySet         // keys of the current line
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
	if d.in.empty {
		d.done = true
		return rawRow{line: 1, probs: []string{"empty file"}}, nil
	}
	for {
		b, newline, err := d.readLine()
		switch {
		case err == io.EOF:
			d.done = true
			return rawRow{}, io.EOF
		case err == errLineTooLong:
			d.done = true
			return rawRow{line: d.line, probs: []string{tooLong("line")}}, nil
		case err != nil:
			return rawRow{}, err
		}
		if jsontext.SkipSpace(b, 0) == len(b) {
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

// parse splits the object on a line into the known values and the carried
// ones.
func (d *jsonlDecoder) parse(b []byte, newline bool) rawRow {
	raw := rawRow{line: d.line, jsonValues: true}
	problem := func(msg string) rawRow {
		raw.probs = append(raw.probs, msg)
		return raw
	}
	switch {
	case !utf8.Valid(b):
		return problem("line is not valid UTF-8")
	case !jsontext.Valid(b):
		msg := "line is not valid JSON: " + jsonError(b)
		if !newline {
			msg += " (the last line has no line break: is the file cut short?)"
		}
		return problem(msg)
	case jsonKind(b) != "an object":
		return problem("line must be a JSON object, got " + jsonKind(b))
	}
	type carriedValue struct {
		i    int
		text string
	}
	var carried []carriedValue
	d.keys.reset()
	jsontext.ObjectMembers(b, func(q, val []byte) bool {
		key := unquoteBytes(q)
		if !d.keys.add(key) {
			raw.probs = append(raw.probs, fmt.Sprintf("line has the key %s twice", shortQuote(string(key))))
			return true
		}
		v := rawValue{string(val), true}
		switch string(key) {
		case "membership_id":
			raw.id = v
		case "days":
			raw.days = v
		case "metadata":
			raw.meta = v
		default:
			i, msg := d.carry(key)
			if msg != "" {
				raw.probs = append(raw.probs, msg)
			} else {
				carried = append(carried, carriedValue{i, extraText(val)})
			}
		}
		return true
	})
	if len(d.names) > 0 {
		raw.extra = make([]string, len(d.names))
		for _, c := range carried {
			raw.extra[c.i] = c.text
		}
	}
	return raw
}

// carry returns the position of a carried key in names, adding it when
// names are still being collected.
func (d *jsonlDecoder) carry(key []byte) (int, string) {
	if i, ok := d.index[string(key)]; ok {
		return i, ""
	}
	if d.fixed {
		return 0, fmt.Sprintf("key %s was not in the file when it was checked", shortQuote(string(key)))
	}
	if len(d.names) == maxExtraKeys {
		return 0, fmt.Sprintf("too many distinct keys besides membership_id, days and metadata (at most %d)", maxExtraKeys)
	}
	d.index[string(key)] = len(d.names)
	d.names = append(d.names, string(key))
	return len(d.names) - 1, ""
}

// extraText is a carried value as the report shows it: a string as its
// text, anything else as compact JSON.
func extraText(val []byte) string {
	switch val[0] {
	case '"':
		return jsontext.Unescape(val[1 : len(val)-1])
	case '{', '[':
		var out bytes.Buffer
		json.Compact(&out, val)
		return out.String()
	}
	return string(val)
}
