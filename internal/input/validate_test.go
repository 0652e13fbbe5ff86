package input

import (
	"regexp"
	"strings"
	"testing"
)

// refValidID is the definition ValidID implements.
var refValidID = regexp.MustCompile(`^mem_[A-Za-z0-9]{1,60}$`)

func TestValidID(t *testing.T) {
	for _, tt := range []struct {
		id   string
		want bool
	}{
		{"mem_a", true}, {"mem_8fKq2LxZ0aBcDe", true}, {"mem_" + strings.Repeat("Z9", 30), true},
		{"mem_" + strings.Repeat("a", 61), false}, {"mem_", false}, {"", false}, {"mem", false},
		{"MEM_a", false}, {"mem_a_b", false}, {"mem_a-b", false}, {"mem_a\n", false}, {"\nmem_a", false},
		{"mem_a/../x", false}, {"mem_\u0430bc", false}, {"xmem_a", false}, {"mem_a ", false},
	} {
		if got := ValidID(tt.id); got != tt.want {
			t.Errorf("ValidID(%q) = %v, want %v", tt.id, got, tt.want)
		}
		if ref := refValidID.MatchString(tt.id); ref != tt.want {
			t.Errorf("the regexp says %v for %q; the table is wrong", ref, tt.id)
		}
	}
}

func FuzzValidID(f *testing.F) {
	for _, id := range []string{"mem_a", "mem_", "mem_a\n", "mem_" + strings.Repeat("a", 60), "mem_\u0430"} {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if got, want := ValidID(id), refValidID.MatchString(id); got != want {
			t.Fatalf("ValidID(%q) = %v, the regexp says %v", id, got, want)
		}
	})
}

func TestCheckDays(t *testing.T) {
	for _, tt := range []struct {
		days string
		ok   bool
	}{{"1", true}, {"1095", true}, {"0", false}, {"1096", false}, {"+5", false}, {" 5", false}, {"5.0", false}, {"", false}, {"1e2", false}} {
		if _, err := CheckDays(tt.days); (err == nil) != tt.ok {
			t.Errorf("CheckDays(%q) = %v", tt.days, err)
		}
	}
}

func TestCheckMetadata(t *testing.T) {
	for _, tt := range []struct {
		md     string
		noNull bool
		want   string // the compacted object, or the error
	}{
		{` { "a" : 1.50 , "b" : [ true ] } `, true, `{"a":1.50,"b":[true]}`},
		{`{}`, true, `{}`},
		{`{"n":1e999,"m":[-0.0E+00]}`, true, `{"n":1e999,"m":[-0.0E+00]}`},
		{`{"a":null}`, false, `{"a":null}`},
		{`{"a":{"b":null}}`, true, `{"a":{"b":null}}`},
		{`{"a":null}`, true, `metadata key "a" is null: the API documents no way to delete one key`},
		{`[1]`, true, `metadata must be a JSON object, got an array`},
		{`{"a":1,"a":2}`, true, `metadata has the key "a" twice`},
		{`{"a":{},"b":{"a":1}}`, true, `{"a":{},"b":{"a":1}}`},
		{`{"a":[{"k":1},{"k":2}]}`, true, `{"a":[{"k":1},{"k":2}]}`},
		{`{"a":[{"k":1,"k":2}]}`, true, `metadata has the key "k" twice`},
		{`{"a":["` + strings.Repeat("x", 501) + `"]}`, true, `metadata value at key "a" is longer than 500 characters`},
		{`{"` + strings.Repeat("x", 501) + `":1}`, true, `metadata key "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..." is longer than 100 characters`},
		{`{"a":"\u00e9"}`, true, `{"a":"\u00e9"}`},
		{`{"a":` + strings.TrimSuffix(manyKeys(20, 1), "}") + `,"k3":2}}`, true, `metadata has the key "k3" twice`},
		{`{`, true, `metadata is not valid JSON: unexpected end of JSON input`},
	} {
		got := ""
		m, err := CheckMetadata(tt.md, tt.noNull)
		if err != nil {
			got = err.Error()
		} else {
			got = string(m)
		}
		if got != tt.want {
			t.Errorf("CheckMetadata(%q, %v) = %s, want %s", tt.md, tt.noNull, got, tt.want)
		}
	}
}

// One Decoder reads the metadata objects of a file one after another: an
// object left half read (it had a problem), followed by spaces, or long
// must not spill into the next.
func TestMetadataOneAfterAnother(t *testing.T) {
	long := `{"n":[` + strings.Repeat("1,", 40_000) + `1]}`
	c := newChecker()
	for i, tt := range []struct{ text, want string }{
		{`{"a":1}`, `{"a":1}`},
		{`{"a":{"b":1,"b":2},"c":3}`, `metadata has the key "b" twice`},
		{`{"b":[1,{"c":2}]}`, `{"b":[1,{"c":2}]}`},
		{" {\"x\":1}  \n ", `{"x":1}`},
		{`{"y":"` + strings.Repeat("z", 501) + `","w":1}`, `metadata value at key "y" is longer than 500 characters`},
		{`{"y":2}`, `{"y":2}`},
		{long, long},
		{`{"z":null}`, `{"z":null}`},
		{`{}`, `{}`},
	} {
		m, f := c.metadata(rawValue{text: tt.text, set: true}, false)
		got := string(m)
		if f.msg != "" {
			got = f.msg
		}
		if got != tt.want {
			t.Errorf("object %d: %.60s, want %.60s", i, got, tt.want)
		}
	}
}
