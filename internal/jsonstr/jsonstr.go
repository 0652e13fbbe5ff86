// Package jsonstr writes Go strings as JSON strings, escaped byte for byte
// as encoding/json escapes them, for the hand-written encoders of records
// written once per row or per request, where encoding/json's reflection
// would cost more than the rest of the record.
package jsonstr

import "unicode/utf8"

// Append appends s as a quoted JSON string, as json.Marshal writes it: the
// quote, the backslash and control characters escaped; <, > and & as
// \u003c, \u003e and \u0026; U+2028 and U+2029 escaped; invalid UTF-8 as
// \ufffd.
func Append(b []byte, s string) []byte { return appendQuoted(b, s, &escapeHTML) }

// AppendNoHTML is Append leaving <, > and & as they are, as a json.Encoder
// with SetEscapeHTML(false) writes them.
func AppendNoHTML(b []byte, s string) []byte { return appendQuoted(b, s, &escapePlain) }

// escapeHTML and escapePlain mark the ASCII bytes each form escapes.
var escapeHTML, escapePlain = func() (html, plain [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		plain[c] = c < 0x20 || c == '"' || c == '\\'
		html[c] = plain[c] || c == '<' || c == '>' || c == '&'
	}
	return html, plain
}()

const hexDigits = "0123456789abcdef"

func appendQuoted(b []byte, s string, escape *[utf8.RuneSelf]bool) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if escape[c] {
				b = appendASCII(append(b, s[start:i]...), c)
				start = i + 1
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(append(b, s[start:i]...), `\ufffd`...)
			start = i + size
		case r == '\u2028' || r == '\u2029':
			b = append(append(b, s[start:i]...), '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendASCII appends the escape of the ASCII byte c.
func appendASCII(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\b':
		return append(b, '\\', 'b')
	case '\f':
		return append(b, '\\', 'f')
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}
