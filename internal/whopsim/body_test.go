package whopsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"bulk/internal/jsontext"
)

// The reference parsers decode with encoding/json, as the simplest reading
// of the rules; the simulator's parsers must answer exactly as they do.

func referenceField(body []byte, name string) (raw []byte, found, ok bool) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, false, false
	}
	raw, found = fields[name]
	return raw, found, true
}

func referenceDays(body []byte) (int, *reply) {
	raw, found, ok := referenceField(body, "days")
	switch {
	case !ok:
		return 0, new(namedError(http.StatusBadRequest, "bad_request", "The request body must be a JSON object"))
	case !found:
		return 0, new(invalid("Parameter days is required"))
	case !isInteger(raw):
		return 0, new(invalid("Parameter days must be an integer"))
	}
	days, err := strconv.Atoi(string(raw))
	if err != nil || days < MinDays || days > MaxDays {
		return 0, new(invalid(fmt.Sprintf("Parameter days must be between %d and %d", MinDays, MaxDays)))
	}
	return days, nil
}

func referenceMetadata(body []byte) (map[string]any, *reply) {
	raw, found, ok := referenceField(body, "metadata")
	switch {
	case !ok:
		return nil, new(namedError(http.StatusBadRequest, "bad_request", "The request body must be a JSON object"))
	case !found:
		return nil, new(invalid("Parameter metadata is required"))
	}
	var md map[string]any
	if err := json.Unmarshal(raw, &md); err != nil || md == nil {
		return nil, new(invalid("Parameter metadata must be an object"))
	}
	if len(md) > MaxMetadataKeys {
		return nil, new(invalid(fmt.Sprintf("Metadata can have at most %d keys", MaxMetadataKeys)))
	}
	for _, k := range slices.Sorted(maps.Keys(md)) {
		if utf8.RuneCountInString(k) > MaxMetadataKey {
			return nil, new(invalid(fmt.Sprintf("Metadata keys can be at most %d characters", MaxMetadataKey)))
		}
		if v, ok := md[k].(string); ok && utf8.RuneCountInString(v) > MaxMetadataValue {
			return nil, new(invalid(fmt.Sprintf("Metadata value for key %q can be at most %d characters", k, MaxMetadataValue)))
		}
	}
	return md, nil
}

var bodySeeds = []string{
	``, ` `, `null`, `[]`, `[1]`, `"days"`, `1`, `true`, `{`, `{"days":`, `{"days":1`, `{"days":1}x`, `{"days" 1}`,
	`{}`, ` { } `, "\t{\r\n}\n", `{"days":7}`, ` { "days" : 7 } `, `{"days":-3}`, `{"days":1.5e3 , "x":2}`,
	`{"days":"5"}`, `{"days":null}`, `{"days":true}`, `{"days":false,"days":3}`, `{"days":3,"days":[1,2]}`,
	`{"Days":3}`, `{"DAYS":3,"days":4,"Days":5}`, `{"d\u0061ys":9}`, `{"days\u0000":9}`, `{"da\"ys":1,"days":2}`,
	`{"x":"}","days":2}`, `{"x":"\\","days":2}`, `{"x":"\"}{","days":[ "]", {"a":"}"} ],"y":{}}`,
	`{"days":1}{"days":2}`, `{"days":01}`, `{"days":1,}`, `{"days":1095}`, `{"days":1096}`, `{"days":-0}`,
	`{"a":{"days":1}}`, `{"a":[{"days":1}],"days":{"days":2}}`, "{\"days\":\"\xff\"}", "{\"\xff\":1,\"days\":2}",
	`{"metadata":{"comp_campaign":"bench","row":5}}`, `{"metadata": {"a":{"b":[1,"x",null]},"c":true} }`,
	`{"metadata":[]}`, `{"metadata":null}`, `{"metadata":"x"}`, `{"metadata":1}`, `{"meta":{}}`,
	`{"metadata":{},"extra":{"metadata":1}}`, `{"metadata":{"a":1},"metadata":{"b":2}}`,
	`{"metadata":{"a":1,"a":2,"b":[],"c":{},"d":[[],{}],"e":-0,"f":1e400}}`, `{"metadata":{"n":1e-400}}`,
	`{"metadata":{"n":[0, -1.5, 2E+3, 1e21, 123456789012345678901234567890, 5e-324, 0.1]}}`,
	`{"metadata":{"s":"\"\\\/\b\f\n\r\t\u0041\u00e9\u2028\ud83d\ude00\ud83d\u0041\ude00x\ud800\ud800\udc00"}}`,
	`{"metadata":{"\ud83d":"lone high","\udc00":"lone low","\u00e9":"é","é":"raw"}}`,
	"{\"metadata\":{\"bad\":\"\xff\xfe \xed\xa0\x80 \xc3\",\"\xe2\x82\":1}}",
	`{"metadata":{"zz":"` + strings.Repeat("é", 501) + `","` + strings.Repeat("k", 101) + `":1}}`,
	`{"metadata":{"` + strings.Repeat("k", 101) + `":1,"a":"` + strings.Repeat("x", 501) + `"}}`,
	`{"metadata":{"` + strings.Repeat("é", 100) + `":"` + strings.Repeat("é", 500) + `"}}`,
	`{"metadata":{"` + strings.Repeat("é", 101) + `":1}}`, `{"metadata":{"a":"` + strings.Repeat("\\u00e9", 501) + `"}}`,
	`{"metadata":{"a":"` + strings.Repeat("\\u00e9", 500) + `"}}`,
}

func checkBody(t *testing.T, body []byte) {
	for _, name := range []string{"days", "metadata"} {
		raw, found, ok := bodyField(body, name)
		wantRaw, wantFound, wantOK := referenceField(body, name)
		if ok != wantOK || found != wantFound || !bytes.Equal(raw, wantRaw) {
			t.Errorf("bodyField(%q, %q) = %q, %v, %v; want %q, %v, %v", body, name, raw, found, ok, wantRaw, wantFound, wantOK)
		}
	}
	days, refused := parseDays(body)
	wantDays, wantRefused := referenceDays(body)
	if days != wantDays || !reflect.DeepEqual(refused, wantRefused) {
		t.Errorf("parseDays(%q) = %d, %v; want %d, %v", body, days, refused, wantDays, wantRefused)
	}
	md, refused := parseMetadata(body)
	wantMD, wantRefused := referenceMetadata(body)
	if !reflect.DeepEqual(md, wantMD) || !reflect.DeepEqual(refused, wantRefused) {
		t.Errorf("parseMetadata(%q) = %v, %v; want %v, %v", body, md, refused, wantMD, wantRefused)
	}
	// Any object, not only a request body's field, decodes as encoding/json decodes it.
	if json.Valid(body) && body[jsontext.SkipSpace(body, 0)] == '{' {
		got, err := decodeObject(body)
		var want map[string]any
		wantErr := json.Unmarshal(body, &want)
		if (err != nil) != (wantErr != nil) || err == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("decodeObject(%q) = %v, %v; want %v, %v", body, got, err, want, wantErr)
		}
	}
}

func TestBodyParsingMatchesEncodingJSON(t *testing.T) {
	for _, s := range bodySeeds {
		checkBody(t, []byte(s))
	}
	for _, s := range awkward {
		b, _ := json.Marshal(map[string]any{"metadata": map[string]any{s: s, "k": []any{s, map[string]any{s: 1.5}}}})
		checkBody(t, b)
	}
}

func FuzzBodyParsing(f *testing.F) {
	for _, s := range bodySeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkBody)
}
