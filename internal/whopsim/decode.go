package whopsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// Bounds the Current API puts on requests; v2 is assumed to share them.
const (
	MinDays          = 1
	MaxDays          = 1095
	MaxMetadataKeys  = 50
	MaxMetadataKey   = 100 // characters
	MaxMetadataValue = 500 // characters, string values
)

// fieldError is a request field missing or of the wrong kind; each
// dialect words and numbers it its own way.
type fieldError struct {
	field, problem string
	missing        bool
}

func (e *fieldError) Error() string { return e.field + " " + e.problem }

// limitError is metadata over one of the limits.
type limitError struct{ message string }

func (e *limitError) Error() string { return e.message }

// decodeObject decodes a request body that must be a JSON object into its
// fields; ok is false for anything else.
func decodeObject(body []byte) (fields map[string]json.RawMessage, ok bool) {
	err := json.Unmarshal(body, &fields)
	return fields, err == nil && fields != nil // "null" decodes to a nil map
}

// decodeDays reads the integer field days, MinDays to MaxDays. A number
// with a fraction or an exponent, or a string, is not an integer.
func decodeDays(fields map[string]json.RawMessage) (int, error) {
	raw, ok := fields["days"]
	if !ok {
		return 0, &fieldError{field: "days", problem: "is required", missing: true}
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	d.Decode(&v) // raw is one valid JSON value
	n, ok := v.(json.Number)
	if !ok || strings.ContainsAny(n.String(), ".eE") {
		return 0, &fieldError{field: "days", problem: "must be an integer"}
	}
	days, err := n.Int64() // fails only out of the int64 range
	if err != nil || days < MinDays || days > MaxDays {
		return 0, &fieldError{field: "days", problem: fmt.Sprintf("must be between %d and %d", MinDays, MaxDays)}
	}
	return int(days), nil
}

// decodeMetadata reads the object field metadata and checks its limits.
func decodeMetadata(fields map[string]json.RawMessage) (map[string]any, error) {
	raw, ok := fields["metadata"]
	if !ok {
		return nil, &fieldError{field: "metadata", problem: "is required", missing: true}
	}
	var md map[string]any
	if json.Unmarshal(raw, &md) != nil || md == nil {
		return nil, &fieldError{field: "metadata", problem: "must be an object"}
	}
	return md, checkLimits(md)
}

// checkLimits reports the first limit md breaks; of several keys that
// break one, the first in sorted order.
func checkLimits(md map[string]any) error {
	if len(md) > MaxMetadataKeys {
		return &limitError{fmt.Sprintf("Metadata can have at most %d keys", MaxMetadataKeys)}
	}
	for _, k := range slices.Sorted(maps.Keys(md)) {
		if tooLong(k, MaxMetadataKey) {
			return &limitError{fmt.Sprintf("Metadata keys can be at most %d characters", MaxMetadataKey)}
		}
		if s, ok := md[k].(string); ok && tooLong(s, MaxMetadataValue) {
			return &limitError{fmt.Sprintf("Metadata value for key %q can be at most %d characters", k, MaxMetadataValue)}
		}
	}
	return nil
}

// tooLong reports whether s has more than n characters.
func tooLong(s string, n int) bool {
	return utf8.RuneCountInString(s) > n
}
