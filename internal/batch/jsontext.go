package batch

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"

	"bulk/internal/jsontext"
)

// The JSON helpers only batch needs; the shared ones are in
// internal/jsontext. Every function here expects text that jsontext.Valid
// accepted and that holds valid UTF-8, as the decoders check a whole line
// or cell before looking inside it.

// jsonKind names the kind of the JSON value starting b.
func jsonKind(b []byte) string {
	i := jsontext.SkipSpace(b, 0)
	if i >= len(b) {
		return "nothing"
	}
	switch b[i] {
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

// unquoteBytes returns the text the quoted JSON string q stands for: the
// bytes of q itself when it has no escapes, since the input is valid UTF-8
// and nothing else would change them.
func unquoteBytes(q []byte) []byte {
	inner := q[1 : len(q)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return inner
	}
	return jsontext.AppendUnescaped(nil, inner)
}

// quotedRunes is the length in runes of the text the quoted JSON string q
// stands for.
func quotedRunes(q []byte) int {
	inner := q[1 : len(q)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return utf8.RuneCount(inner) // a bad byte counts once, as its U+FFFD would
	}
	return utf8.RuneCountInString(jsontext.Unescape(inner))
}

// keySet finds repeated keys, reusing its memory between objects. The
// keys it holds must stay unchanged while it is in use.
type keySet struct {
	small [][]byte
	big   map[string]struct{}
}

func (s *keySet) reset() {
	s.small = s.small[:0]
	clear(s.big)
}

// add reports whether k was not in the set yet, and adds it.
func (s *keySet) add(k []byte) bool {
	if len(s.small) < 16 {
		for _, x := range s.small {
			if bytes.Equal(x, k) {
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
			s.big[string(x)] = struct{}{}
		}
	}
	if _, ok := s.big[string(k)]; ok {
		return false
	}
	s.big[string(k)] = struct{}{}
	return true
}
