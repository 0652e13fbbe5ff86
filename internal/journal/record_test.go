package journal

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func ptr(v int64) *int64 { return &v }

// oddStrings are strings whose JSON encoding needs care.
var oddStrings = []string{
	"",
	"plain",
	`quote " inside`,
	`back\slash`,
	"new\nline\r\ttab\b\f",
	"\x00\x01\x1f\x7f",
	"<html> & </html>",
	"héllo wörld ✓ 🎉",
	"\u2028\u2029",
	"bad utf8 \xff\xfe end",
	"truncated \xe2\x82",
	`\u0041 not an escape`,
	"mem_" + strings.Repeat("x", 600),
}

func sampleRecords() []Record {
	rs := []Record{
		{Type: TypeRun, At: 1767225600000, Run: "r1", File: "nov.csv", SHA256: strings.Repeat("a", 64), PID: 4242},
		{Type: TypeRun, Run: "r2", Start: ptr(5)},
		{Type: TypeIntent, At: 1, Run: "r1", Action: "add_free_days", ID: "mem_1", Line: 2, Input: "in", Days: 7,
			Payload: "p", Key: "k", Before: true, PrevStart: ptr(1767225600)},
		{Type: TypeOutcome, At: math.MaxInt64, Run: "r1", Action: "update_metadata", ID: "mem_2", Line: -3,
			Status: StatusUnknown, HTTP: 502, Err: "connection reset", PrevStart: ptr(math.MinInt64),
			PrevEnd: ptr(0), Start: ptr(-1), End: ptr(math.MaxInt64), Attempts: 3},
		{Type: TypeOutcome, At: math.MinInt64},
		{},
	}
	for i, s := range oddStrings {
		rs = append(rs, Record{Type: s, Run: s, File: s, SHA256: s, Action: s, ID: s, Input: s,
			Payload: s, Key: s, Status: s, Err: s, Line: i})
	}
	return rs
}

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	for _, r := range sampleRecords() {
		if r.Type == TypeRun {
			continue // run records leave out nil dates; encoding/json writes null
		}
		want, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		got := appendRecord(nil, &r)
		if string(got) != string(want)+"\n" {
			t.Errorf("appendRecord(%+v)\n got %s\nwant %s", r, got, want)
		}
	}
}

func TestRunRecordOmitsNilDates(t *testing.T) {
	r := Record{Type: TypeRun, At: 5, Run: "r", PID: 1}
	got := string(appendRecord(nil, &r))
	want := `{"t":"run","at":5,"run":"r","pid":1}` + "\n"
	if got != want {
		t.Errorf("got %s want %s", got, want)
	}
}

// checkRoundTrip encodes r and checks that the fast decoder takes the line
// and agrees with encoding/json about it.
func checkRoundTrip(t *testing.T, r Record) {
	t.Helper()
	line := appendRecord(nil, &r)
	if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
		t.Fatalf("encoding of %+v is not one line: %q", r, line)
	}
	line = line[:len(line)-1]
	var want Record
	if err := json.Unmarshal(line, &want); err != nil {
		t.Fatalf("encoding/json rejects %s: %v", line, err)
	}
	var raw rawRecord
	if !parseFast(line, &raw, true) || !parseFast(line, &raw, false) {
		t.Fatalf("fast decoder fell back on its own encoding %s", line)
	}
	got, err := decodeRecord(line)
	if err != nil {
		t.Fatalf("decodeRecord(%s): %v", line, err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeRecord(%s)\n got %+v\nwant %+v", line, got, want)
	}
	if allValidUTF8(r) && !reflect.DeepEqual(got, r) {
		t.Fatalf("round trip of %+v gave %+v", r, got)
	}
}

func allValidUTF8(r Record) bool {
	for _, s := range []string{r.Type, r.Run, r.File, r.SHA256, r.Action, r.ID, r.Input, r.Payload, r.Key, r.Status, r.Err} {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}

func TestRecordRoundTrip(t *testing.T) {
	for _, r := range sampleRecords() {
		checkRoundTrip(t, r)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		checkRoundTrip(t, randomRecord(rng))
	}
}

func randomRecord(rng *rand.Rand) Record {
	str := func() string {
		if rng.IntN(3) == 0 {
			return oddStrings[rng.IntN(len(oddStrings))]
		}
		b := make([]byte, rng.IntN(20))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return string(b)
	}
	num := func() int64 {
		switch rng.IntN(4) {
		case 0:
			return 0
		case 1:
			return rng.Int64()
		case 2:
			return -rng.Int64()
		}
		return rng.Int64N(1000)
	}
	opt := func() *int64 {
		if rng.IntN(2) == 0 {
			return nil
		}
		return ptr(num())
	}
	types := []string{TypeRun, TypeIntent, TypeOutcome}
	return Record{
		Type: types[rng.IntN(3)], At: num(), Run: str(), File: str(), SHA256: str(), PID: int(num()),
		Action: str(), ID: str(), Line: int(num()), Input: str(), Days: int(num()), Payload: str(),
		Key: str(), Status: str(), HTTP: int(num()), Err: str(), Before: rng.IntN(2) == 0,
		PrevStart: opt(), PrevEnd: opt(), Start: opt(), End: opt(), Attempts: int(num()),
	}
}

// TestDecodeAgreesWithEncodingJSON feeds lines the journal never writes:
// the fast decoder must take them the way encoding/json does.
func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	lines := []string{
		`{}`,
		` { "t" : "run" , "at" : 1 } `,
		`{"t":"intent","at":1,"extra":"field"}`,
		`{"T":"intent"}`,
		`{"t":null}`,
		`{"t":"run","at":1.5}`,
		`{"t":"run","at":1e3}`,
		`{"t":"run","at":01}`,
		`{"t":"run","at":-0}`,
		`{"t":"run","at":9223372036854775807}`,
		`{"t":"run","at":9223372036854775808}`,
		`{"t":"run","at":-9223372036854775808}`,
		`{"t":"run","at":-9223372036854775809}`,
		`{"t":"run","at":99999999999999999999}`,
		`{"t":"run","at":-}`,
		`{"t":"run","at":"1"}`,
		`{"t":"a\"b\\c\/d\u0041\ud83d\ude00\ud800"}`,
		`{"t":"\x"}`,
		`{"t":"\u12"}`,
		"{\"t\":\"raw\ttab\"}",
		"{\"t\":\"bad \xff utf8\"}",
		`{"t":"run","t":"intent"}`,
		`{"start":5,"start":null}`,
		`{"start":nul}`,
		`{"before":true}`,
		`{"before":false,"before":true}`,
		`{"before":1}`,
		`{"before":truex}`,
		`{"t":"run"}x`,
		`{"t":"run"`,
		`{"t":"run",}`,
		`{"t" "run"}`,
		`{"t":"run"}}`,
		`[1]`,
		`null`,
		``,
		`   `,
		"\x00\x00\x00",
		`{"t":"intent","prev_start":{"a":1}}`,
		`{"pid":12345678901}`,
		`{"t\u0000":"x"}`,
	}
	for _, line := range lines {
		t.Run(line, func(t *testing.T) {
			compareDecoders(t, []byte(line))
		})
	}
}

func compareDecoders(t *testing.T, line []byte) {
	t.Helper()
	var want Record
	wantErr := json.Unmarshal(line, &want)
	got, gotErr := decodeRecord(line)
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("decodeRecord(%q) error %v, encoding/json error %v", line, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeRecord(%q)\n got %+v\nwant %+v", line, got, want)
	}
	var raw rawRecord
	typ, action, id, err := keyFields(line, &raw)
	wantShape := wantErr
	if wantShape == nil {
		wantShape = checkShape(want.Type, want.Action != "", want.ID != "")
	}
	if (err != nil) != (wantShape != nil) {
		t.Fatalf("keyFields(%q) error %v, want error %v", line, err, wantShape)
	}
	if err == nil && (typ != want.Type || (typ != TypeRun && (string(action) != want.Action || string(id) != want.ID))) {
		t.Fatalf("keyFields(%q) = %q %q %q, want %q %q %q", line, typ, action, id, want.Type, want.Action, want.ID)
	}
}

func FuzzRecordRoundTrip(f *testing.F) {
	for _, s := range oddStrings {
		f.Add(s, s, int64(7), int64(-1), true, false)
	}
	f.Fuzz(func(t *testing.T, a, b string, n, m int64, before, null bool) {
		var p *int64
		if !null {
			p = &m
		}
		for _, typ := range []string{TypeRun, TypeIntent, TypeOutcome, a} {
			r := Record{Type: typ, At: n, Run: a, File: b, SHA256: a, PID: int(m), Action: a, ID: b,
				Line: int(n), Input: b, Days: int(m), Payload: a, Key: b, Status: a, HTTP: int(n),
				Err: b, Before: before, PrevStart: p, PrevEnd: ptr(n), Start: p, Attempts: int(m)}
			checkRoundTrip(t, r)
		}
	})
}

func FuzzDecodeLine(f *testing.F) {
	for _, r := range sampleRecords() {
		line := appendRecord(nil, &r)
		f.Add(line[:len(line)-1])
	}
	f.Add([]byte(`{"t":"intent","at":1.5}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		compareDecoders(t, line)
	})
}

// benchLines are an intent and an outcome as a run writes them.
func benchLines() [][]byte {
	hash := strings.Repeat("9f86d081884c7d659a2feaa0c55ad015", 2)
	rs := []Record{
		{Type: TypeIntent, At: 1767225600000, Run: "20260101T000000Z-4242",
			Action: "add_free_days", ID: "mem_0123456789abcdef", Line: 123456, Input: hash, Days: 7, Payload: hash,
			Key: "bulk-" + hash[:40], Before: true, PrevStart: ptr(1767225600), PrevEnd: ptr(1767225600)},
		{Type: TypeOutcome, At: 1767225600000, Run: "20260101T000000Z-4242",
			Action: "add_free_days", ID: "mem_0123456789abcdef", Line: 123456, Status: StatusApplied, HTTP: 200,
			Before: true, PrevStart: ptr(1767225600), PrevEnd: ptr(1767225600),
			Start: ptr(1767830400), End: ptr(1767830400), Attempts: 1},
	}
	var lines [][]byte
	for _, r := range rs {
		l := appendRecord(nil, &r)
		lines = append(lines, l[:len(l)-1])
	}
	return lines
}

// BenchmarkDecode measures what Open does to each line (index) and what
// Lookup does to the line it reads (record).
func BenchmarkDecode(b *testing.B) {
	for i, name := range []string{"intent", "outcome"} {
		line := benchLines()[i]
		b.Run("index/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			var raw rawRecord
			for b.Loop() {
				if _, _, _, err := keyFields(line, &raw); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("record/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(line)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decodeRecord(line); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestDecodeLegacyDates(t *testing.T) {
	tests := []struct {
		name                       string
		line                       string
		wantPrevStart, wantPrevEnd *int64
		wantEnd                    *int64
	}{
		{"renewing: the renewal end moved",
			`{"t":"intent","at":1,"run":"r","action":"add_free_days","id":"mem_1","days":7,"before":true,"prev_expires_at":null,"prev_renewal_period_end":100,"expires_at":null,"renewal_period_end":null}`,
			nil, i64p(100), nil},
		{"one-time: the expiry moved",
			`{"t":"outcome","at":1,"run":"r","action":"add_free_days","id":"mem_1","days":7,"before":true,"prev_expires_at":200,"prev_renewal_period_end":null,"expires_at":804999,"renewal_period_end":null,"status":"applied"}`,
			nil, i64p(200), i64p(804999)},
		{"both set: the renewal end is the one free days move",
			`{"t":"outcome","at":1,"run":"r","action":"add_free_days","id":"mem_1","before":true,"prev_expires_at":5,"prev_renewal_period_end":6,"expires_at":5,"renewal_period_end":9,"status":"applied"}`,
			nil, i64p(6), i64p(9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := decodeRecord([]byte(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			if !eqPtr(r.PrevStart, tt.wantPrevStart) || !eqPtr(r.PrevEnd, tt.wantPrevEnd) || !eqPtr(r.End, tt.wantEnd) {
				t.Errorf("prev_start %v prev_end %v end %v, want %v %v %v",
					show(r.PrevStart), show(r.PrevEnd), show(r.End), show(tt.wantPrevStart), show(tt.wantPrevEnd), show(tt.wantEnd))
			}
			if !r.Before {
				t.Error("before lost")
			}
		})
	}
}

func TestOrigin(t *testing.T) {
	dir := t.TempDir()
	if _, ok, err := Origin(dir, "c"); ok || err != nil {
		t.Fatalf("no journal: ok %v err %v, want false nil", ok, err)
	}
	j, err := Open(dir, "c", Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []Record{
		{Type: TypeRun, At: 1, Run: "a", API: "current", Version: "2026-11-17"},
		{Type: TypeRun, At: 2, Run: "b", API: "v2"},
	} {
		if err := j.Append(r, true); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	got, ok, err := Origin(dir, "c")
	if err != nil || !ok || got.Run != "a" || got.API != "current" || got.Version != "2026-11-17" {
		t.Errorf("Origin = %+v %v %v, want run a, current 2026-11-17", got, ok, err)
	}

	legacy := filepath.Join(dir, "old.journal")
	os.WriteFile(legacy, []byte(`{"t":"run","at":1,"run":"x","file":"f.csv","sha256":"s","pid":1}`+"\n"), 0o600)
	got, ok, err = Origin(dir, "old")
	if err != nil || !ok || got.API != "v2" || got.Version != "" {
		t.Errorf("legacy Origin = %+v %v %v, want API v2", got, ok, err)
	}
}

func i64p(v int64) *int64 { return &v }

func eqPtr(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }

func show(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
