package whopsim

import (
	"bytes"
	"strconv"

	"bulk/internal/jsontext"
)

// bodyField finds a field of a request body that must be a JSON object. It
// answers what decoding the body into a map[string]json.RawMessage would:
// ok is false unless the body is valid JSON holding an object; a repeated
// name yields its last value; raw is the value's text without surrounding
// space; names are compared after unescaping.
func bodyField(body []byte, name string) (raw []byte, found, ok bool) {
	if !jsontext.Valid(body) || body[jsontext.SkipSpace(body, 0)] != '{' {
		return nil, false, false
	}
	jsontext.ObjectMembers(body, func(key, val []byte) bool {
		if keyIs(key, name) {
			raw, found = val, true
		}
		return true
	})
	return raw, found, true
}

// keyIs reports whether the quoted JSON string key unescapes to name.
func keyIs(key []byte, name string) bool {
	inner := key[1 : len(key)-1]
	if bytes.IndexByte(inner, '\\') < 0 {
		return string(inner) == name
	}
	return jsontext.Unescape(inner) == name
}

// decodeObject decodes valid JSON text holding an object into the values
// encoding/json decodes into an interface: map[string]any, []any, string,
// float64, bool and nil, a repeated key keeping its last value. Like
// encoding/json, it fails on a number out of float64's range.
func decodeObject(text []byte) (map[string]any, error) {
	d := decoder{text: text, i: jsontext.SkipSpace(text, 0)}
	return d.object()
}

// decoder reads valid JSON text, so every token is where the grammar puts it.
type decoder struct {
	text []byte
	i    int
}

func (d *decoder) value() (any, error) {
	d.i = jsontext.SkipSpace(d.text, d.i)
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
	end := jsontext.ValueEnd(d.text, d.i)
	f, err := strconv.ParseFloat(string(d.text[d.i:end]), 64)
	if err != nil {
		return nil, err
	}
	d.i = end
	return f, nil
}

func (d *decoder) object() (map[string]any, error) {
	m := make(map[string]any)
	d.i = jsontext.SkipSpace(d.text, d.i+1)
	if d.text[d.i] == '}' {
		d.i++
		return m, nil
	}
	for {
		k := d.string()
		d.i = jsontext.SkipSpace(d.text, d.i) + 1 // past the colon
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		m[k] = v
		d.i = jsontext.SkipSpace(d.text, d.i)
		d.i++ // past a comma or the closing brace
		if d.text[d.i-1] == '}' {
			return m, nil
		}
		d.i = jsontext.SkipSpace(d.text, d.i)
	}
}

func (d *decoder) array() ([]any, error) {
	a := []any{}
	d.i = jsontext.SkipSpace(d.text, d.i+1)
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
		d.i = jsontext.SkipSpace(d.text, d.i)
		d.i++ // past a comma or the closing bracket
		if d.text[d.i-1] == ']' {
			return a, nil
		}
	}
}

// string reads the string at d.i.
func (d *decoder) string() string {
	end := jsontext.StringEnd(d.text, d.i)
	s := jsontext.Unescape(d.text[d.i+1 : end-1])
	d.i = end
	return s
}
