package batch

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestValidJSONDepth(t *testing.T) {
	for _, depth := range []int{maxJSONDepth, maxJSONDepth + 1} {
		for _, open := range []string{"[", `{"a":`} {
			close := map[string]string{"[": "]", `{"a":`: "}"}[open]
			b := []byte(strings.Repeat(open, depth) + "1" + strings.Repeat(close, depth))
			if got, want := validJSON(b), json.Valid(b); got != want {
				t.Errorf("depth %d of %s: validJSON = %v, json.Valid = %v", depth, open, got, want)
			}
		}
	}
}
