package whopsim

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"bulk/internal/jsonstr"
)

// encodeMembership is the membership object as the API sends it: the kept
// fields, then others the real object carries, which clients must ignore.
// The bytes are exactly what encoding/json makes of the same object (field
// order as listed, object keys sorted, HTML-safe escapes), built without
// reflection; nil metadata is sent as {}.
func encodeMembership(m Membership) []byte {
	// About 460 bytes besides the strings and metadata; a guess for
	// the metadata that is too small only costs a reallocation.
	b := make([]byte, 0, 464+2*len(m.ID)+len(m.Status)+len(m.Email)+32*len(m.Metadata))
	b = append(b, `{"id":`...)
	b = jsonstr.Append(b, m.ID)
	b = append(b, `,"status":`...)
	b = jsonstr.Append(b, m.Status)
	b = append(b, `,"valid":`...)
	b = strconv.AppendBool(b, m.Valid)
	b = append(b, `,"email":`...)
	b = jsonstr.Append(b, m.Email)
	b = append(b, `,"metadata":`...)
	if m.Metadata == nil {
		b = append(b, "{}"...)
	} else {
		var err error
		if b, err = appendObject(b, m.Metadata); err != nil { // only a value json cannot encode, which decoding never produces
			panic(fmt.Sprintf("whopsim: encode membership %s: %v", m.ID, err))
		}
	}
	b = append(b, `,"expires_at":`...)
	b = appendTimestamp(b, m.ExpiresAt)
	b = append(b, `,"renewal_period_start":`...)
	b = appendTimestamp(b, m.RenewalPeriodStart)
	b = append(b, `,"renewal_period_end":`...)
	b = appendTimestamp(b, m.RenewalPeriodEnd)
	b = append(b, `,"created_at":`...)
	b = appendTimestamp(b, m.CreatedAt)

	// The other fields are derived from the ID's hash, so they are stable.
	h := hashID(m.ID)
	b = append(b, `,"company_id":"biz_`...)
	b = appendHex(b, h>>24, 10, lowerHex)
	b = append(b, `","product":"prod_`...)
	b = appendHex(b, h>>8, 8, lowerHex)
	b = append(b, `","user":"user_`...)
	b = appendHex(b, h, 12, lowerHex)
	b = append(b, `","plan":"plan_`...)
	b = appendHex(b, h>>16, 8, lowerHex)
	b = append(b, `","promo_code":null,"cancel_at_period_end":false,"payment_processor":"stripe","license_key":"`...)
	b = appendHex(b, h, 5, upperHex)
	b = append(b, '-')
	b = appendHex(b, h>>20, 5, upperHex)
	b = append(b, '-')
	b = appendHex(b, h>>40, 5, upperHex)
	b = append(b, `","quantity":1,"manage_url":`...)
	b = jsonstr.Append(b, "https://whop.com/orders/"+m.ID+"/manage")
	return append(b, '}')
}

// hashID is the 64-bit FNV-1a hash of id.
func hashID(id string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	h := uint64(offset)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= prime
	}
	return h
}

const (
	lowerHex = "0123456789abcdef"
	upperHex = "0123456789ABCDEF"
)

// appendHex appends the low n hexadecimal digits of v, zero-padded.
func appendHex(b []byte, v uint64, n int, digits string) []byte {
	for i := n - 1; i >= 0; i-- {
		b = append(b, digits[v>>(4*uint(i))&0xf])
	}
	return b
}

func appendTimestamp(b []byte, t *int64) []byte {
	if t == nil {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, *t, 10)
}

// appendValue appends v as JSON. The types encoding/json decodes into an
// interface are written directly; any other value (one a caller of Put may
// store) is left to encoding/json.
func appendValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return jsonstr.Append(b, v), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	case float64:
		if !math.IsInf(v, 0) && !math.IsNaN(v) {
			return appendFloat(b, v), nil
		}
	case map[string]any:
		if v == nil {
			return append(b, "null"...), nil
		}
		return appendObject(b, v)
	case []any:
		if v == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, e); err != nil {
				return b, err
			}
		}
		return append(b, ']'), nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, raw...), nil
}

// appendObject appends m as a JSON object with its keys in sorted order.
func appendObject(b []byte, m map[string]any) ([]byte, error) {
	var buf [16]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonstr.Append(b, k)
		b = append(b, ':')
		var err error
		if b, err = appendValue(b, m[k]); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendFloat appends a finite float64 the way encoding/json does: like
// an ECMAScript number, decimal unless the magnitude is below 1e-6 or
// at least 1e21, with an exponent of at least one digit.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-07 becomes e-7
		if n := len(b); n-start >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
