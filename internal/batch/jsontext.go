package batch

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Helpers that check and walk JSON text without decoding it, so values
// keep the exact form they were written in (numbers are never turned into
// floats, key order is kept). Apart from validJSON, every function here
// expects text that validJSON accepted; on anything else they stay within
// bounds but their answer is meaningless.

// validJSON reports whether b is one JSON value with optional whitespace
// around it: exactly what json.Valid reports (FuzzValidJSON holds it to
// that), at a fraction of its cost, which matters on a million lines. Like
// json.Valid it does not check UTF-8; the decoders do, for the whole line
// or cell.
func validJSON(b []byte) bool {
	i, ok := jsonValue(b, skipSpace(b, 0), 0)
	return ok && skipSpace(b, i) == len(b)
}

// maxJSONDepth is json.Valid's nesting limit.
const maxJSONDepth = 10000

// jsonValue checks the value starting at b[i] and returns the index just
// past it.
func jsonValue(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '{' || c == '[':
		if depth++; depth > maxJSONDepth {
			return i, false
		}
		return jsonContainer(b, i, depth)
	case c == '"':
		return jsonString(b, i)
	case c == '-' || '0' <= c && c <= '9':
		return jsonNumber(b, i)
	case c == 't':
		return jsonLiteral(b, i, "true")
	case c == 'f':
		return jsonLiteral(b, i, "false")
	case c == 'n':
		return jsonLiteral(b, i, "null")
	}
	return i, false
}

// jsonContainer checks the object or array opening at b[i].
func jsonContainer(b []byte, i, depth int) (int, bool) {
	object := b[i] == '{'
	end := byte(']')
	if object {
		end = '}'
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == end {
		return i + 1, true
	}
	for {
		var ok bool
		if object {
			if i >= len(b) || b[i] != '"' {
				return i, false
			}
			if i, ok = jsonString(b, i); !ok {
				return i, false
			}
			if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
				return i, false
			}
			i = skipSpace(b, i+1)
		}
		if i, ok = jsonValue(b, i, depth); !ok {
			return i, false
		}
		switch i = skipSpace(b, i); {
		case i < len(b) && b[i] == ',':
			i = skipSpace(b, i+1)
		case i < len(b) && b[i] == end:
			return i + 1, true
		default:
			return i, false
		}
	}
}

// jsonString checks the string whose opening quote is at b[i].
func jsonString(b []byte, i int) (int, bool) {
	for i++; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			if i++; i >= len(b) {
				return i, false
			}
			switch b[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(b) {
					return i, false
				}
				for _, h := range b[i+1 : i+5] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return i, false
					}
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

// jsonNumber checks the number starting at b[i].
func jsonNumber(b []byte, i int) (int, bool) {
	digits := func(i int) (int, bool) {
		start := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i, i > start
	}
	if b[i] == '-' {
		i++
	}
	var ok bool
	if i < len(b) && b[i] == '0' {
		i++
	} else if i, ok = digits(i); !ok {
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		if i, ok = digits(i + 1); !ok {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		if i++; i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i, ok = digits(i); !ok {
			return i, false
		}
	}
	return i, true
}

func jsonLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return i, false
}

// jsonKind names the kind of the JSON value starting b.
func jsonKind(b []byte) string {
	i := skipSpace(b, 0)
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

// objectMembers calls fn with the quoted key and the value text of each
// member of the object b, in order, until fn returns false.
func objectMembers(b []byte, fn func(key, val []byte) bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return
	}
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		k := stringEnd(b, i)
		key := b[i:k]
		i = skipSpace(b, k)
		if i >= len(b) || b[i] != ':' {
			return
		}
		i = skipSpace(b, i+1)
		e := valueEnd(b, i)
		if !fn(key, b[i:e]) {
			return
		}
		i = skipSpace(b, e)
		if i >= len(b) || b[i] != ',' {
			return
		}
		i = skipSpace(b, i+1)
	}
}

// arrayElements calls fn with the text of each element of the array b, in
// order, until fn returns false.
func arrayElements(b []byte, fn func(val []byte) bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return
	}
	i = skipSpace(b, i+1)
	for i < len(b) && b[i] != ']' {
		e := valueEnd(b, i)
		if e == i || !fn(b[i:e]) {
			return
		}
		i = skipSpace(b, e)
		if i >= len(b) || b[i] != ',' {
			return
		}
		i = skipSpace(b, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// valueEnd returns the index just past the value starting at b[i].
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}

// stringEnd returns the index just past the string whose opening quote is
// at b[i].
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// unquote returns the string a quoted JSON string stands for.
func unquote[T ~string | ~[]byte](q T) string {
	if len(q) >= 2 && !hasBackslash(q) {
		return string(q[1 : len(q)-1])
	}
	var s string
	json.Unmarshal([]byte(q), &s)
	return s
}

// unquoteBytes is unquote for keys: the bytes of q itself when it has no
// escapes.
func unquoteBytes(q []byte) []byte {
	if len(q) >= 2 && !hasBackslash(q) {
		return q[1 : len(q)-1]
	}
	return []byte(unquote(q))
}

func hasBackslash[T ~string | ~[]byte](q T) bool {
	for i := 0; i < len(q); i++ {
		if q[i] == '\\' {
			return true
		}
	}
	return false
}

// quotedRunes is the length in runes of the string a quoted JSON string
// stands for.
func quotedRunes(q []byte) int {
	if len(q) >= 2 && !hasBackslash(q) {
		return utf8.RuneCount(q[1 : len(q)-1])
	}
	return utf8.RuneCountInString(unquote(q))
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
