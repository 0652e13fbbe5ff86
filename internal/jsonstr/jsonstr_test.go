package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
)

// reference is what encoding/json writes for s.
func reference(t *testing.T, s string, html bool) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(html)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func check(t *testing.T, s string) {
	t.Helper()
	if got, want := Append([]byte("x"), s), append([]byte("x"), reference(t, s, true)...); !bytes.Equal(got, want) {
		t.Errorf("Append(%q) = %s, want %s", s, got, want)
	}
	if got, want := AppendNoHTML(nil, s), reference(t, s, false); !bytes.Equal(got, want) {
		t.Errorf("AppendNoHTML(%q) = %s, want %s", s, got, want)
	}
}

func TestAsEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", `quote " and backslash \`, "tab\tnew\nline\rcr\bback\ffeed",
		"\x00\x01\x1f\x7f", "<script>&amp;</script>", "café ☕ 𝄞",
		"line\u2028para\u2029end", "bad \xff utf-8 \xc3", "\xed\xa0\x80 surrogate half",
		"mem_1,=cmd|' /C calc'!A0",
	} {
		check(t, s)
	}
}

func FuzzAppend(f *testing.F) {
	for _, s := range []string{"", "a\"b", "<&>", "\u2028", "\xff", "é\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { check(t, s) })
}
