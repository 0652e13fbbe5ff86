package whopsim

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// bodyField finds a field of a request body that must be a JSON object. It
// answers what decoding the body into a map[string]json.RawMessage would:
// ok is false unless the body is valid JSON holding an object; a repeated
// name yields its last value; raw is the value's text without surrounding
// space; names are compared after unescaping.
func bodyField(body []byte, name string) (raw []byte, found, ok bool) {
	if !json.Valid(body) {
		return nil, false, false
	}
	i := skipSpace(body, 0)
	if body[i] != '{' {
		return nil, false, false
	}
	i = skipSpace(body, i+1)
	if body[i] == '}' {
		return nil, false, true
	}
	// The body is valid, so from here every token is where the grammar
	// puts it: a key, a colon, a value, then a comma or the closing brace.
	for {
		keyEnd := stringEnd(body, i)
		key := body[i:keyEnd]
		i = skipSpace(body, keyEnd)
		i = skipSpace(body, i+1) // past the colon
		end := valueEnd(body, i)
		if keyIs(key, name) {
			raw, found = body[i:end], true
		}
		i = skipSpace(body, end)
		if body[i] == '}' {
			return raw, found, true
		}
		i = skipSpace(body, i+1) // past the comma
	}
}

// keyIs reports whether the quoted JSON string key unescapes to name.
func keyIs(key []byte, name string) bool {
	inner := key[1 : len(key)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == name
	}
	return unquote(inner) == name
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\r', '\n':
			i++
		default:
			return i
		}
	}
	return i
}

// stringEnd is the index just past the valid JSON string starting at b[i].
func stringEnd(b []byte, i int) int {
	for i++; ; i++ {
		switch b[i] {
		case '\\':
			i++ // the escaped byte cannot end the string
		case '"':
			return i + 1
		}
	}
}

// valueEnd is the index just past the valid JSON value starting at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for {
			switch b[i] {
			case '"':
				i = stringEnd(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
	}
	for i < len(b) { // a number, true, false or null
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// decodeObject decodes valid JSON text holding an object into the values
// encoding/json decodes into an interface: map[string]any, []any, string,
// float64, bool and nil, a repeated key keeping its last value. Like
// encoding/json, it fails on a number out of float64's range.
func decodeObject(text []byte) (map[string]any, error) {
	d := decoder{text: text, i: skipSpace(text, 0)}
	return d.object()
}

// decoder reads valid JSON text, so every token is where the grammar puts it.
type decoder struct {
	text []byte
	i    int
}

func (d *decoder) value() (any, error) {
	d.i = skipSpace(d.text, d.i)
	switch d.text[d.i] {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		return d.string(), nil
	case 't':
		d.i += len("true")
		return true, nil
	case 'f':
		d.i += len("false")
		return false, nil
	case 'n':
		d.i += len("null")
		return nil, nil
	}
	end := valueEnd(d.text, d.i)
	f, err := strconv.ParseFloat(string(d.text[d.i:end]), 64)
	if err != nil {
		return nil, err
	}
	d.i = end
	return f, nil
}

func (d *decoder) object() (map[string]any, error) {
	m := make(map[string]any)
	d.i = skipSpace(d.text, d.i+1)
	if d.text[d.i] == '}' {
		d.i++
		return m, nil
	}
	for {
		k := d.string()
		d.i = skipSpace(d.text, d.i) + 1 // past the colon
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		m[k] = v
		d.i = skipSpace(d.text, d.i)
		d.i++ // past a comma or the closing brace
		if d.text[d.i-1] == '}' {
			return m, nil
		}
		d.i = skipSpace(d.text, d.i)
	}
}

func (d *decoder) array() ([]any, error) {
	a := []any{}
	d.i = skipSpace(d.text, d.i+1)
	if d.text[d.i] == ']' {
		d.i++
		return a, nil
	}
	for {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		d.i = skipSpace(d.text, d.i)
		d.i++ // past a comma or the closing bracket
		if d.text[d.i-1] == ']' {
			return a, nil
		}
	}
}

// string reads the string at d.i.
func (d *decoder) string() string {
	end := stringEnd(d.text, d.i)
	s := unquote(d.text[d.i+1 : end-1])
	d.i = end
	return s
}

// unquote is the text of a valid JSON string's contents, unescaped the way
// encoding/json does it: a \u escape of a lone surrogate, and each byte of
// invalid UTF-8, become U+FFFD.
func unquote(s []byte) string {
	i := 0
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
		return string(s)
	}
	out := make([]byte, i, len(s)+2*utf8.UTFMax)
	copy(out, s[:i])
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\' && s[i+1] == 'u':
			r := hex4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if pair := utf16.DecodeRune(r, hex4(s[i+2:])); pair != utf8.RuneError {
						r = pair
						i += 6
					}
				}
				if utf16.IsSurrogate(r) {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		case c == '\\':
			out = append(out, unescape[s[i+1]])
			i += 2
		case c < utf8.RuneSelf:
			out = append(out, c)
			i++
		default:
			r, size := utf8.DecodeRune(s[i:])
			out = utf8.AppendRune(out, r) // U+FFFD for invalid UTF-8
			i += size
		}
	}
	return string(out)
}

// unescape maps the byte after a backslash to what it stands for.
var unescape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// hex4 is the value of the four hexadecimal digits at the start of b.
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
