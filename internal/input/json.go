package input

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"unicode/utf8"
)

// The helpers below expect JSON text that json.Valid accepted and that
// holds valid UTF-8, as the decoders check a whole line or cell before
// looking inside it.

// jsonKind names the kind of the JSON value b holds.
func jsonKind(b []byte) string {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// jsonError says why b is not valid JSON.
func jsonError(b []byte) string {
	var v json.RawMessage
	if err := json.Unmarshal(b, &v); err != nil {
		return err.Error()
	}
	return "invalid JSON"
}

// unquote returns the text that the JSON string q stands for.
func unquote(q string) string {
	inner := q[1 : len(q)-1]
	if !hasEscapes(inner) {
		return inner
	}
	var s string
	json.Unmarshal([]byte(q), &s)
	return s
}

// hasEscapes reports whether the inside of a JSON string could decode to
// other text: it has a backslash or is not valid UTF-8.
func hasEscapes(s string) bool {
	return strings.IndexByte(s, '\\') >= 0 || !utf8.ValidString(s)
}

// extraText is a carried value as the report shows it: a string as its
// text, an object or array as compact JSON, anything else as written.
func extraText(val []byte) string {
	switch val[0] {
	case '"':
		return unquote(string(val))
	case '{', '[':
		var out bytes.Buffer
		json.Compact(&out, val)
		return out.String()
	}
	return string(val)
}

// keySet finds repeated keys in an object, reusing its memory between
// objects.
type keySet struct {
	small []string
	big   map[string]struct{}
}

func (s *keySet) reset() {
	s.small = s.small[:0]
	clear(s.big)
}

// add reports whether k was not in the set yet, and adds it.
func (s *keySet) add(k string) bool {
	if len(s.small) < 16 {
		for _, x := range s.small {
			if x == k {
				return false
			}
		}
		s.small = append(s.small, k)
		return true
	}
	if s.big == nil {
		s.big = make(map[string]struct{}, 32)
	}
	if len(s.big) == 0 {
		for _, x := range s.small {
			s.big[x] = struct{}{}
		}
	}
	if _, ok := s.big[k]; ok {
		return false
	}
	s.big[k] = struct{}{}
	return true
}

// valueStream hands a json.Decoder one JSON value after another (the
// metadata objects of a file, or its JSONL lines), so that one Decoder and
// its buffer serve them all rather than one being made for each row: a
// Decoder reads a stream of values, and asks for more input only while
// the value it is reading is not complete. Whoever stops reading a value
// before its end calls drop, and the next value gets a new Decoder.
type valueStream struct {
	dec  *json.Decoder
	rest []byte // what the Decoder has not read of the current value
	big  bool   // the current value is long
}

// bigValue is the size past which a Decoder is not kept for the next
// value, so that one long value does not keep a large buffer alive.
const bigValue = 64 << 10

// next returns the Decoder, about to read b, a value json.Valid accepted.
func (s *valueStream) next(b []byte) *json.Decoder {
	if s.dec == nil || len(s.rest) > 0 || s.big {
		s.dec = json.NewDecoder(s)
		s.dec.UseNumber()
	}
	s.rest, s.big = b, len(b) > bigValue
	return s.dec
}

// drop forgets the Decoder, whose value was not read to its end.
func (s *valueStream) drop() { s.dec = nil }

func (s *valueStream) Read(p []byte) (int, error) {
	if len(s.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, s.rest)
	s.rest = s.rest[n:]
	return n, nil
}
