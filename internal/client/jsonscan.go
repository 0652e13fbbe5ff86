package client

import "unicode/utf8"

// maxDepth is how deeply arrays and objects may nest, as in encoding/json.
const maxDepth = 10000

// scanner walks JSON text held in memory and checks it against the grammar
// encoding/json accepts. A method that meets invalid text returns false and
// the walk ends there; the error is then worded by syntaxError.
type scanner struct {
	data []byte
	pos  int // next byte to read
}

// next skips white space and returns the byte at pos, or 0 at the end of
// the text (0 is never valid outside a string, so it needs no other case).
func (s *scanner) next() byte {
	if s.pos < len(s.data) && s.data[s.pos] > ' ' {
		return s.data[s.pos] // no white space: the common case, inlined
	}
	return s.skipSpace()
}

func (s *scanner) skipSpace() byte {
	for ; s.pos < len(s.data); s.pos++ {
		switch c := s.data[s.pos]; c {
		case ' ', '\t', '\n', '\r':
		default:
			return c
		}
	}
	return 0
}

// skipValue moves past the value at pos. depth is how many arrays and
// objects enclose it.
func (s *scanner) skipValue(depth int) bool {
	switch c := s.next(); c {
	case '{':
		return s.skipObject(depth + 1)
	case '[':
		return s.skipArray(depth + 1)
	case '"':
		_, _, ok := s.str()
		return ok
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		return s.number()
	}
}

// skipObject moves past the object at pos, which is at nesting depth.
func (s *scanner) skipObject(depth int) bool {
	if depth > maxDepth {
		return false
	}
	s.pos++ // {
	if s.next() == '}' {
		s.pos++
		return true
	}
	for {
		if s.next() != '"' {
			return false
		}
		if _, _, ok := s.str(); !ok {
			return false
		}
		if s.next() != ':' {
			return false
		}
		s.pos++
		if !s.skipValue(depth) {
			return false
		}
		switch s.next() {
		case ',':
			s.pos++
		case '}':
			s.pos++
			return true
		default:
			return false
		}
	}
}

// skipArray moves past the array at pos, which is at nesting depth.
func (s *scanner) skipArray(depth int) bool {
	if depth > maxDepth {
		return false
	}
	s.pos++ // [
	if s.next() == ']' {
		s.pos++
		return true
	}
	for {
		if !s.skipValue(depth) {
			return false
		}
		switch s.next() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return true
		default:
			return false
		}
	}
}

// literal moves past lit (true, false or null) at pos.
func (s *scanner) literal(lit string) bool {
	end := s.pos + len(lit)
	if end > len(s.data) || string(s.data[s.pos:end]) != lit {
		return false
	}
	s.pos = end
	return true
}

// number moves past the number at pos.
func (s *scanner) number() bool {
	n := numberLen(s.data[s.pos:])
	if n < 0 {
		return false
	}
	s.pos += n
	return true
}

// numberLen returns the length of the JSON number that b starts with, or
// -1 if it does not start with one.
func numberLen(b []byte) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		i = digits(b, i+1)
	default:
		return -1
	}
	if i < len(b) && b[i] == '.' {
		if i++; i == len(b) || !isDigit(b[i]) {
			return -1
		}
		i = digits(b, i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		if i++; i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i == len(b) || !isDigit(b[i]) {
			return -1
		}
		i = digits(b, i)
	}
	return i
}

// isNumber reports whether all of b is one JSON number.
func isNumber(b []byte) bool { return numberLen(b) == len(b) }

// digits returns the index of the first byte at or after i that is not a
// decimal digit.
func digits(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// plainByte marks the bytes that may stand for themselves in a string and
// need no further look: printable ASCII other than the quote and backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// str moves past the string at pos and returns what is between its quotes,
// still escaped. plain reports that this is already the decoded string: no
// escapes, and valid UTF-8.
func (s *scanner) str() (raw []byte, plain, ok bool) {
	d := s.data
	start := s.pos + 1
	escaped, wide := false, false
	for i := start; i < len(d); i++ {
		c := d[i]
		if plainByte[c] {
			continue
		}
		switch {
		case c == '"':
			s.pos = i + 1
			raw = d[start:i]
			plain = !escaped && (!wide || utf8.Valid(raw))
			return raw, plain, true
		case c == '\\':
			n := escapeLen(d[i:])
			if n < 0 {
				return nil, false, false
			}
			i += n - 1
			escaped = true
		case c < 0x20:
			return nil, false, false
		default:
			wide = true
		}
	}
	return nil, false, false
}

// escapeLen returns the length of the escape sequence b starts with, or -1
// if it is not a valid one.
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return -1
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if hex4(b[2:]) < 0 {
			return -1
		}
		return 6
	}
	return -1
}

// hex4 returns the value of the four hexadecimal digits b starts with, or
// -1 if it does not start with four.
func hex4(b []byte) rune {
	if len(b) < 4 {
		return -1
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
