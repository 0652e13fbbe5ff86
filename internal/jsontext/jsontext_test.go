package jsontext

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Every answer is held to encoding/json's: Valid to json.Valid, Unescape
// to json.Unmarshal into a string, the walkers to json.Unmarshal into
// json.RawMessage values.

var validSeeds = []string{
	``, ` `, `0`, `-0.0E-0`, `01`, `-`, `1.`, `.5`, `1e`, `1e+`, `2E-3`, `-01`, `1.5e+300`,
	`true`, `false`, `null`, `nul`, `truex`, `True`, `""`, `"\x"`, `"\u12G4"`, `"\u12"`, `"\`,
	`"a` + "\x01" + `"`, "\"\xff\"", "\xff\"", `"\ud83d\ude00"`, `"\"\\\/\b\f\n\r\t"`,
	`{}`, ` {} `, "\t{\r\n}\n", `[]`, `[1]`, `[1,]`, `[,1]`, `{"a" 1}`, `{"a":1,}`, `{"a"}`, `{1:2}`,
	`{"a":[1,-2.5e+3,true,false,null,"x\u00e9\n"]}`, `{} {}`, `[[[]]]`, `[[[]]`, `{"a":{"b":{}}}`,
	`{"x":"}","y":[ "]", {"a":"}"} ],"z":{}}`, `{"a":1}x`, "[1\x00]",
}

func TestValid(t *testing.T) {
	for _, s := range validSeeds {
		if got, want := Valid([]byte(s)), json.Valid([]byte(s)); got != want {
			t.Errorf("Valid(%q) = %v, json.Valid says %v", s, got, want)
		}
	}
}

func TestValidDepth(t *testing.T) {
	for _, depth := range []int{maxDepth, maxDepth + 1} {
		for _, open := range []string{"[", `{"a":`} {
			close := map[string]string{"[": "]", `{"a":`: "}"}[open]
			b := []byte(strings.Repeat(open, depth) + "1" + strings.Repeat(close, depth))
			if got, want := Valid(b), json.Valid(b); got != want {
				t.Errorf("depth %d of %s: Valid = %v, json.Valid = %v", depth, open, got, want)
			}
		}
	}
}

func TestEnds(t *testing.T) {
	for _, tc := range []struct {
		text     string
		i        int
		skip     int // SkipSpace(text, i)
		valueEnd int // ValueEnd(text, skip)
	}{
		{` 12 ,`, 0, 1, 3},
		{"\t\r\n-1.5e3}", 0, 3, 9},
		{`[true]`, 1, 1, 5},
		{`"a\"b" `, 0, 0, 6},
		{`"a\\" `, 0, 0, 5},
		{` {"a":"}","b":[1,{"c":"]"}]} x`, 0, 1, 28},
		{`[[],{}]`, 0, 0, 7},
		{`   `, 0, 3, 3},
		{`"unterminated`, 0, 0, 13},
		{`[1,[2`, 0, 0, 5},
	} {
		skip := SkipSpace([]byte(tc.text), tc.i)
		end := ValueEnd([]byte(tc.text), skip)
		if skip != tc.skip || end != tc.valueEnd {
			t.Errorf("%q from %d: SkipSpace = %d, ValueEnd = %d; want %d, %d", tc.text, tc.i, skip, end, tc.skip, tc.valueEnd)
		}
		if tc.skip < len(tc.text) && tc.text[tc.skip] == '"' {
			if got := StringEnd([]byte(tc.text), tc.skip); got != tc.valueEnd {
				t.Errorf("StringEnd(%q, %d) = %d, want %d", tc.text, tc.skip, got, tc.valueEnd)
			}
		}
	}
}

// members lists what ObjectMembers hands out, a key and its value each.
func members(b []byte, limit int) []string {
	var got []string
	ObjectMembers(b, func(key, val []byte) bool {
		got = append(got, string(key), string(val))
		return len(got) < 2*limit
	})
	return got
}

// elements lists what ArrayElements hands out.
func elements(b []byte, limit int) []string {
	var got []string
	ArrayElements(b, func(val []byte) bool {
		got = append(got, string(val))
		return len(got) < limit
	})
	return got
}

func TestMembersAndElements(t *testing.T) {
	for _, tc := range []struct {
		text   string
		limit  int
		object []string
		array  []string
	}{
		{`{}`, 9, nil, nil},
		{` [ ] `, 9, nil, nil},
		{`{"a":1,"b" : [2, "]"] ,"a":{"c":"}"}}`, 9, []string{`"a"`, `1`, `"b"`, `[2, "]"]`, `"a"`, `{"c":"}"}`}, nil},
		{`{"a":1,"b":2}`, 1, []string{`"a"`, `1`}, nil},
		{`{"\"k\u0041":null}`, 9, []string{`"\"k\u0041"`, `null`}, nil},
		{"\n[ 1 ,\t\"x\" , {\"a\":[]}, [], true ]", 9, nil, []string{`1`, `"x"`, `{"a":[]}`, `[]`, `true`}},
		{`[1,2,3]`, 2, nil, []string{`1`, `2`}},
		{`"x"`, 9, nil, nil},
	} {
		b := []byte(tc.text)
		if got := members(b, tc.limit); !reflect.DeepEqual(got, tc.object) {
			t.Errorf("ObjectMembers(%s) gave %q, want %q", tc.text, got, tc.object)
		}
		if got := elements(b, tc.limit); !reflect.DeepEqual(got, tc.array) {
			t.Errorf("ArrayElements(%s) gave %q, want %q", tc.text, got, tc.array)
		}
	}
}

var unescapeSeeds = []struct{ quoted, want string }{
	{`""`, ""},
	{`"plain ascii"`, "plain ascii"},
	{`"é and 😀"`, "é and 😀"},
	{`"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
	{`"\u0041\u00e9\u2028\uFFFF"`, "Aé\u2028\uffff"},
	{`"\ud83d\ude00 \uD83D\uDE00"`, "😀 😀"},
	{`"\ud83d"`, "\ufffd"},
	{`"\ude00\ud83d"`, "\ufffd\ufffd"},
	{`"\ud83d\u0041x"`, "\ufffdAx"},
	{`"\ud800\ud800\udc00"`, "\ufffd\U00010000"},
	{`"\ud83dx"`, "\ufffdx"},
	{"\"\xff\xfe x\"", "\ufffd\ufffd x"},
	{"\"\xed\xa0\x80\"", "\ufffd\ufffd\ufffd"},
	{"\"\xc3\"", "\ufffd"},
	{"\"é\xe2\x82\"", "é\ufffd\ufffd"},
	{"\"\xff\\n\"", "\ufffd\n"},
	{`"` + strings.Repeat(`\u00e9`, 40) + `"`, strings.Repeat("é", 40)},
}

func TestUnescape(t *testing.T) {
	for _, tc := range unescapeSeeds {
		inner := tc.quoted[1 : len(tc.quoted)-1]
		if got := Unescape(inner); got != tc.want {
			t.Errorf("Unescape(%#q) = %q, want %q", inner, got, tc.want)
		}
		if got := Unescape([]byte(inner)); got != tc.want {
			t.Errorf("Unescape([]byte(%#q)) = %q, want %q", inner, got, tc.want)
		}
		if got := AppendUnescaped([]byte("prefix"), []byte(inner)); string(got) != "prefix"+tc.want {
			t.Errorf("AppendUnescaped(prefix, %#q) = %q, want %q", inner, got, "prefix"+tc.want)
		}
		checkUnescape(t, []byte(tc.quoted))
	}
}

func TestUnescapeAllocs(t *testing.T) {
	s := "no escapes here"
	if n := testing.AllocsPerRun(100, func() { Unescape(s) }); n != 0 {
		t.Errorf("Unescape of a plain string allocates %v times, want 0", n)
	}
}

// checkUnescape holds Unescape to json.Unmarshal for a quoted string that
// Valid accepts.
func checkUnescape(t *testing.T, b []byte) {
	t.Helper()
	if len(b) < 2 || b[0] != '"' || StringEnd(b, 0) != len(b) || !Valid(b) {
		return
	}
	var want string
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatalf("json.Unmarshal(%q): %v", b, err)
	}
	inner := b[1 : len(b)-1]
	if got := Unescape(inner); got != want {
		t.Fatalf("Unescape(%q) = %q, json.Unmarshal says %q", inner, got, want)
	}
	if got := Unescape(string(inner)); got != want {
		t.Fatalf("Unescape(string %q) = %q, json.Unmarshal says %q", inner, got, want)
	}
}

// checkWalk holds ObjectMembers and ArrayElements to json.Unmarshal for
// text that Valid accepts.
func checkWalk(t *testing.T, b []byte) {
	t.Helper()
	if !Valid(b) {
		return
	}
	var wantObject map[string]json.RawMessage
	if json.Unmarshal(b, &wantObject) == nil && wantObject != nil {
		got := map[string]json.RawMessage{}
		ObjectMembers(b, func(key, val []byte) bool {
			got[Unescape(key[1:len(key)-1])] = val
			return true
		})
		if !reflect.DeepEqual(got, wantObject) {
			t.Fatalf("ObjectMembers(%q) gave %q, json.Unmarshal says %q", b, got, wantObject)
		}
	}
	var wantArray []json.RawMessage
	if json.Unmarshal(b, &wantArray) == nil && wantArray != nil {
		got := []json.RawMessage{}
		ArrayElements(b, func(val []byte) bool {
			got = append(got, val)
			return true
		})
		if !reflect.DeepEqual(got, wantArray) {
			t.Fatalf("ArrayElements(%q) gave %q, json.Unmarshal says %q", b, got, wantArray)
		}
	}
}

func FuzzValid(f *testing.F) {
	for _, s := range validSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if got, want := Valid(b), json.Valid(b); got != want {
			t.Fatalf("Valid(%q) = %v, json.Valid says %v", b, got, want)
		}
		checkWalk(t, b)
	})
}

func FuzzUnescape(f *testing.F) {
	for _, tc := range unescapeSeeds {
		f.Add([]byte(tc.quoted))
	}
	f.Fuzz(checkUnescape)
}
