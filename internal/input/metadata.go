package input

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// Limits on a metadata object.
const (
	maxMetaKeys    = 50  // keys of the top-level object
	maxKeyRunes    = 100 // a key, at any depth
	maxStringRunes = 500 // a string value, at any depth
)

// metadata returns the compacted object, or why the value is not a valid
// metadata object. A JSONL value (isJSON) is part of a line already
// checked with json.Valid.
func (c *checker) metadata(v rawValue, isJSON bool) (json.RawMessage, fault) {
	b := []byte(v.text)
	if !isJSON && !json.Valid(b) {
		return nil, faultf("metadata is not valid JSON", "metadata is not valid JSON: %s", jsonError(b))
	}
	if k := jsonKind(b); k != "an object" {
		return nil, faultf("metadata must be a JSON object", "metadata must be a JSON object, got %s", k)
	}
	if f := c.walk.check(b, c.noNull); f.msg != "" {
		return nil, f
	}
	var out bytes.Buffer
	out.Grow(len(b))
	json.Compact(&out, b)
	return out.Bytes(), fault{}
}

// metaWalk checks the keys and values of a metadata object, at every
// depth, token by token. It keeps its memory between objects.
type metaWalk struct {
	values valueStream
	stack  []metaLevel
}

// metaLevel is an object or array being walked.
type metaLevel struct {
	object  bool
	wantKey bool   // an object's next token is a key
	keys    keySet // an object's keys so far
	n       int    // an object's keys so far
	at      string // the nearest key, for messages
}

// check walks the object b (valid JSON) and returns the first fault of
// its keys or values, in the order they are written, if any.
func (w *metaWalk) check(b []byte, noNull bool) fault {
	dec := w.values.next(b)
	w.stack = w.stack[:0]
	for {
		tok, err := dec.Token()
		if err != nil { // not after json.Valid; but then the Decoder is spent
			w.values.drop()
			return faultf("metadata is not valid JSON", "metadata is not valid JSON: %v", err)
		}
		var f fault
		switch d, _ := tok.(json.Delim); {
		case d == '}' || d == ']':
			w.stack = w.stack[:len(w.stack)-1]
		case len(w.stack) > 0 && w.stack[len(w.stack)-1].wantKey:
			f = w.key(tok.(string))
		default:
			f = w.value(tok, noNull)
		}
		if f.msg != "" {
			w.values.drop()
			return f
		}
		if len(w.stack) == 0 {
			return fault{}
		}
	}
}

// key checks a key of the innermost object.
func (w *metaWalk) key(k string) fault {
	top := len(w.stack) == 1
	l := &w.stack[len(w.stack)-1]
	l.wantKey, l.at = false, k
	switch l.n++; {
	case top && l.n > maxMetaKeys:
		return faultOf(fmt.Sprintf("metadata has more than %d keys", maxMetaKeys))
	case utf8.RuneCountInString(k) > maxKeyRunes:
		return faultf(fmt.Sprintf("metadata key is longer than %d characters", maxKeyRunes),
			"metadata key %s is longer than %d characters", shortQuote(k), maxKeyRunes)
	case !l.keys.add(k):
		return faultf("metadata has a key twice", "metadata has the key %s twice", shortQuote(k))
	}
	return fault{}
}

// value checks a value (or the start of one) of the innermost object or
// array; the object b opens has none around it.
func (w *metaWalk) value(tok json.Token, noNull bool) fault {
	at, top := "", len(w.stack) == 1
	if n := len(w.stack); n > 0 {
		l := &w.stack[n-1]
		l.wantKey, at = l.object, l.at
	}
	switch v := tok.(type) {
	case json.Delim:
		w.push(v == '{', at)
	case string:
		if utf8.RuneCountInString(v) > maxStringRunes {
			return faultf(fmt.Sprintf("metadata value is longer than %d characters", maxStringRunes),
				"metadata value at key %s is longer than %d characters", shortQuote(at), maxStringRunes)
		}
	case nil:
		if top && noNull {
			return faultf("metadata has a null value",
				"metadata key %s is null: the API documents no way to delete one key", shortQuote(at))
		}
	}
	return fault{}
}

// push opens an object or array, reusing the memory of an earlier one.
func (w *metaWalk) push(object bool, at string) {
	if len(w.stack) < cap(w.stack) {
		w.stack = w.stack[:len(w.stack)+1]
	} else {
		w.stack = append(w.stack, metaLevel{})
	}
	l := &w.stack[len(w.stack)-1]
	l.keys.reset()
	l.object, l.wantKey, l.n, l.at = object, object, 0, at
}
