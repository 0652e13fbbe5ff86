// Package jsontext checks and walks JSON text without decoding it, so that
// values keep the exact form they were written in: numbers are never
// turned into floats and members keep their order.
//
// Valid answers exactly what json.Valid answers, at a fraction of its cost.
// The walkers (SkipSpace, StringEnd, ValueEnd, ObjectMembers and
// ArrayElements) expect text that Valid accepted; on anything else they
// stay within bounds but their answer is meaningless. Unescape and
// AppendUnescaped turn the inside of a valid JSON string into the text it
// stands for, exactly as encoding/json decodes it.
package jsontext

import (
	"unicode/utf16"
	"unicode/utf8"
)

// Valid reports whether b is one JSON value with optional white space
// around it, exactly as json.Valid does. Like json.Valid, it does not
// check that strings hold valid UTF-8.
func Valid(b []byte) bool {
	i, ok := value(b, SkipSpace(b, 0), 0)
	return ok && SkipSpace(b, i) == len(b)
}

// maxDepth is json.Valid's limit on how deeply arrays and objects nest.
const maxDepth = 10000

// value checks the value starting at b[i], which depth arrays and objects
// enclose, and returns the index just past it.
func value(b []byte, i, depth int) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '{' || c == '[':
		if depth++; depth > maxDepth {
			return i, false
		}
		return container(b, i, depth)
	case c == '"':
		return quoted(b, i)
	case c == '-' || '0' <= c && c <= '9':
		return number(b, i)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	}
	return i, false
}

// container checks the object or array opening at b[i].
func container(b []byte, i, depth int) (int, bool) {
	object := b[i] == '{'
	end := byte(']')
	if object {
		end = '}'
	}
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == end {
		return i + 1, true
	}
	for {
		var ok bool
		if object {
			if i >= len(b) || b[i] != '"' {
				return i, false
			}
			if i, ok = quoted(b, i); !ok {
				return i, false
			}
			if i = SkipSpace(b, i); i >= len(b) || b[i] != ':' {
				return i, false
			}
			i = SkipSpace(b, i+1)
		}
		if i, ok = value(b, i, depth); !ok {
			return i, false
		}
		switch i = SkipSpace(b, i); {
		case i < len(b) && b[i] == ',':
			i = SkipSpace(b, i+1)
		case i < len(b) && b[i] == end:
			return i + 1, true
		default:
			return i, false
		}
	}
}

// quoted checks the string whose opening quote is at b[i].
func quoted(b []byte, i int) (int, bool) {
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

// number checks the number starting at b[i].
func number(b []byte, i int) (int, bool) {
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

// literal checks that lit (true, false or null) starts at b[i].
func literal(b []byte, i int, lit string) (int, bool) {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return i, false
}

// SkipSpace returns the index of the first byte at or after b[i] that is
// not JSON white space, or len(b) if there is none.
func SkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// StringEnd returns the index just past the string whose opening quote is
// at b[i].
func StringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++ // the escaped byte cannot end the string
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// ValueEnd returns the index just past the value starting at b[i].
func ValueEnd(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return StringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = StringEnd(b, i) - 1
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
	for ; i < len(b); i++ { // a number, true, false or null
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
	}
	return i
}

// ObjectMembers calls fn with the key, quotes included and still escaped,
// and the value text of each member of the object b, in order, until fn
// returns false. The value text has no white space around it; b may.
func ObjectMembers(b []byte, fn func(key, val []byte) bool) {
	i := SkipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return
	}
	i = SkipSpace(b, i+1)
	for i < len(b) && b[i] == '"' {
		k := StringEnd(b, i)
		key := b[i:k]
		i = SkipSpace(b, k)
		if i >= len(b) || b[i] != ':' {
			return
		}
		i = SkipSpace(b, i+1)
		e := ValueEnd(b, i)
		if !fn(key, b[i:e]) {
			return
		}
		i = SkipSpace(b, e)
		if i >= len(b) || b[i] != ',' {
			return
		}
		i = SkipSpace(b, i+1)
	}
}

// ArrayElements calls fn with the text of each element of the array b, in
// order, until fn returns false. The text has no white space around it; b
// may.
func ArrayElements(b []byte, fn func(val []byte) bool) {
	i := SkipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return
	}
	i = SkipSpace(b, i+1)
	for i < len(b) && b[i] != ']' {
		e := ValueEnd(b, i)
		if e == i || !fn(b[i:e]) {
			return
		}
		i = SkipSpace(b, e)
		if i >= len(b) || b[i] != ',' {
			return
		}
		i = SkipSpace(b, i+1)
	}
}

// Unescape returns the text that s, the inside of a valid JSON string
// (without its quotes), stands for, as encoding/json decodes it: each \u
// escape of a surrogate that is not half of a valid pair, and each byte
// that is not part of valid UTF-8, becomes U+FFFD. Plain ASCII comes back
// as it is, without a copy when s is a string. s must be the inside of a
// string Valid accepts; on anything else Unescape may panic.
func Unescape[T ~string | ~[]byte](s T) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' || s[i] >= utf8.RuneSelf {
			return unescapeFrom([]byte(s), i)
		}
	}
	return string(s)
}

// unescapeFrom is Unescape for s whose first i bytes are plain ASCII.
func unescapeFrom(s []byte, i int) string {
	for i < len(s) && s[i] != '\\' {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	if i == len(s) {
		return string(s) // no escapes and valid UTF-8
	}
	out := make([]byte, i, len(s)+2*utf8.UTFMax)
	copy(out, s[:i])
	return string(AppendUnescaped(out, s[i:]))
}

// AppendUnescaped appends to dst the text that s, the inside of a valid
// JSON string (without its quotes), stands for, as Unescape returns it,
// and returns the extended slice. s must be the inside of a string Valid
// accepts; on anything else AppendUnescaped may panic.
func AppendUnescaped(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			if s[i+1] != 'u' {
				dst = append(dst, unescape[s[i+1]])
				i += 2
				continue
			}
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if pair := utf16.DecodeRune(r, hex4(s[i+2:])); pair != utf8.RuneError {
						dst = utf8.AppendRune(dst, pair)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			dst = utf8.AppendRune(dst, r)
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, n := utf8.DecodeRune(s[i:])
			dst = utf8.AppendRune(dst, r) // U+FFFD for a bad byte, n == 1
			i += n
		}
	}
	return dst
}

// unescape maps the byte after a backslash, other than u, to the byte the
// escape stands for.
var unescape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// hex4 returns the value of the four hexadecimal digits b starts with,
// which Valid has checked.
func hex4(b []byte) rune {
	var r rune
	for _, c := range b[:4] {
		switch {
		case c <= '9':
			c -= '0'
		case c <= 'F':
			c -= 'A' - 10
		default:
			c -= 'a' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}
