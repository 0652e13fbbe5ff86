package report

import (
	"bytes"
	"encoding/json"
)

// member is one key of a JSON object and its value.
type member struct {
	key   string
	value any
}

// object is a JSON object whose keys keep the order given, as a report's
// columns do (a map would sort them). Keys and values are encoded by
// encoding/json, without escaping <, > and &: the files are read by people
// and programs, not embedded in HTML.
type object []member

func (o object) MarshalJSON() ([]byte, error) {
	var e lineEncoder
	if err := e.encode(o); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")), nil
}

// lineEncoder encodes objects as JSON lines into buf, which it reuses.
type lineEncoder struct {
	buf  bytes.Buffer
	enc  *json.Encoder
	keys map[string]string // each key encoded, for the next rows
}

// encode adds o to buf, followed by a newline.
func (e *lineEncoder) encode(o object) error {
	if e.enc == nil {
		e.enc = json.NewEncoder(&e.buf)
		e.enc.SetEscapeHTML(false)
	}
	e.buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			e.buf.WriteByte(',')
		}
		if err := e.key(m.key); err != nil {
			return err
		}
		if err := e.value(m.value); err != nil {
			return err
		}
	}
	e.buf.WriteString("}\n")
	return nil
}

// key encodes k and the colon after it.
func (e *lineEncoder) key(k string) error {
	if enc, ok := e.keys[k]; ok {
		e.buf.WriteString(enc)
		return nil
	}
	start := e.buf.Len()
	if err := e.value(k); err != nil {
		return err
	}
	e.buf.WriteByte(':')
	if e.keys == nil {
		e.keys = map[string]string{}
	}
	e.keys[k] = string(e.buf.Bytes()[start:])
	return nil
}

// value encodes v without the newline Encode ends every value with.
func (e *lineEncoder) value(v any) error {
	if err := e.enc.Encode(v); err != nil {
		return err
	}
	e.buf.Truncate(e.buf.Len() - 1)
	return nil
}
