package journal

import (
	"bulk/internal/outcome"
	"bytes"
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

// lineWriter encodes records as one Journal appending them does: in the
// context of the run record before them, an outcome completing the
// intent before it of its key.
type lineWriter struct {
	ctx     runCtx
	pending map[string]Record
}

func newLineWriter() *lineWriter { return &lineWriter{pending: make(map[string]Record)} }

func (w *lineWriter) line(r Record) string {
	key := r.Action + "\x00" + r.ID
	var base *Record
	if p, ok := w.pending[key]; ok && r.Type == TypeOutcome && inherits(&r, &p) {
		base = &p
	}
	var buf bytes.Buffer
	if err := encodeRecord(&buf, &r, w.ctx, base); err != nil {
		panic(err)
	}
	switch r.Type {
	case TypeRun:
		w.ctx = contextOf(&r)
	case TypeIntent:
		w.pending[key] = r
	case TypeOutcome:
		delete(w.pending, key)
	}
	return buf.String()
}

const (
	runID  = "408d6287dd701ed3"
	input1 = "8ba31eb76ee39e33d9ff19f4744db2644a6d42b046e06cc14ade4948e38952b9"
)

// realIntent is an intent as the engine writes one for an add-free-days
// row.
func realIntent(run, input, id string, line int) Record {
	return Record{Type: TypeIntent, At: 1767225600000 + int64(line), Run: run, Action: addDays, ID: id,
		Line: line, Input: input, Days: 7, Before: true, PrevStart: ptr(1764633600), PrevEnd: ptr(1767225600),
		Attempts: 1, MStatus: "active"}
}

// realOutcome answers an intent as the engine does; changed gives the
// membership another status, and a warning.
func realOutcome(in Record, status outcome.Status, changed bool) Record {
	r := in
	r.Type, r.At, r.Status, r.HTTP = TypeOutcome, in.At+150, status, 200
	r.Start, r.End = in.PrevStart, ptr(*in.PrevEnd+7*86400)
	if changed {
		r.MStatus, r.Warn = "canceled", "the membership is canceled"
	}
	return r
}

// TestLeanLines pins down what an add-free-days row leaves in the journal.
func TestLeanLines(t *testing.T) {
	run := Record{Type: TypeRun, At: 1767225600000, Run: runID, File: "nov.csv", SHA256: input1, PID: 4242,
		API: "current", Version: "2026-11-17"}
	in := realIntent(runID, input1, "mem_0123456789abcdef", 1000000)
	w := newLineWriter()
	got := w.line(run) + w.line(in) + w.line(realOutcome(in, outcome.Applied, false))
	want := `{"t":"run","at":1767225600000,"run":"408d6287dd701ed3","file":"nov.csv","sha256":"` + input1 + `","pid":4242,"api":"current","version":"2026-11-17"}
{"t":"i","at":1767226600000,"id":"mem_0123456789abcdef","l":1000000,"d":7,"b":true,"ps":1764633600,"pe":1767225600,"n":1,"ms":"active"}
{"t":"o","at":1767226600150,"id":"mem_0123456789abcdef","st":"applied","h":200,"s":1764633600,"e":1767830400}
`
	if got != want {
		t.Fatalf("lines\n%s\nwant\n%s", got, want)
	}
	lines := strings.SplitAfter(got, "\n")
	if n := len(lines[1]) + len(lines[2]); n > 256 {
		t.Errorf("an add-free-days row takes %d bytes, want at most 256", n)
	}
}

// roundTrip appends rs to a fresh journal and checks that Lookup and Each
// give them back, before and after reopening.
func roundTrip(t *testing.T, rs []Record) {
	t.Helper()
	dir := t.TempDir()
	j := openT(t, dir, "c", Options{SyncEvery: -1})
	appendT(t, j, false, rs...)
	latest := make(map[string]Record)
	var keys []string
	for _, r := range rs {
		if r.Type != TypeRun {
			k := r.Action + "\x00" + r.ID
			if _, ok := latest[k]; !ok {
				keys = append(keys, k)
			}
			latest[k] = r
		}
	}
	check := func(j *Journal, when string) {
		t.Helper()
		if got := allRecords(t, j); !reflect.DeepEqual(got, rs) {
			t.Fatalf("%s: Each gave\n%+v\nwant\n%+v", when, got, rs)
		}
		for _, k := range keys {
			action, id, _ := strings.Cut(k, "\x00")
			got, ok, err := j.Lookup(action, id)
			if err != nil || !ok || !reflect.DeepEqual(got, latest[k]) {
				t.Fatalf("%s: Lookup(%s, %s) = %+v, %v, %v\nwant %+v", when, action, id, got, ok, err, latest[k])
			}
		}
	}
	check(j, "appended")
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	check(openT(t, dir, "c", Options{}), "reopened")
	check(openT(t, dir, "c", Options{ReadOnly: true}), "read-only")
}

func TestRecordRoundTrip(t *testing.T) {
	run := Record{Type: TypeRun, At: 1, Run: "r1", File: "nov.csv", SHA256: "in1", PID: 7, API: "current", Version: "v"}
	run2 := Record{Type: TypeRun, At: 2, Run: "r2", File: "nov.csv", SHA256: "in2"}
	done := Record{Type: TypeRun, At: 3, Run: "r1", File: "nov.report.csv", SHA256: "rep", Input: "in1", Status: StatusComplete}
	in := realIntent("r1", "in1", "mem_1", 2)
	meta := Record{Type: TypeOutcome, At: 5, Run: "r1", Action: metadata, ID: "mem_1", Line: 4, Input: "in1",
		Key: "bulk-k", Status: outcome.Applied, HTTP: 200, Before: true, Attempts: 1, MStatus: "active"}
	settled := realOutcome(in, outcome.Applied, false)
	settled.Run = "settle-1" // bulk settle writes no run record
	retried := realIntent("r1", "in1", "mem_1", 2)
	retried.Attempts = 2
	tests := []struct {
		name string
		rs   []Record
	}{
		{"intent then its outcome", []Record{run, in, realOutcome(in, outcome.Applied, false)}},
		{"outcome with another status and a warning", []Record{run, in, realOutcome(in, outcome.Applied, true)}},
		{"outcome that says otherwise than its intent", []Record{run, in, func() Record {
			o := realOutcome(in, outcome.Unknown, false)
			o.PrevEnd, o.Attempts, o.Before, o.Days = nil, 3, false, 0
			return o
		}()}},
		{"outcome that forgets the membership status", []Record{run, in, func() Record {
			o := realOutcome(in, outcome.Failed, false)
			o.MStatus = ""
			return o
		}()}},
		{"two outcomes of one intent", []Record{run, in, realOutcome(in, outcome.Unknown, false), realOutcome(in, outcome.Applied, false)}},
		{"not applied, sent again", []Record{run, in, realOutcome(in, outcome.NotApplied, false), retried, realOutcome(retried, outcome.Applied, false)}},
		{"metadata outcome without intent", []Record{run, meta}},
		{"records before any run record", []Record{in, realOutcome(in, outcome.Applied, false)}},
		{"another run's records after a run record", []Record{run, run2, in, realOutcome(in, outcome.Applied, false)}},
		{"outcome of an earlier run", []Record{run, in, run2, realOutcome(in, outcome.Applied, false)}},
		{"settled by hand after the run ended", []Record{run, in, done, settled}},
		{"empty run and input", []Record{run, {Type: TypeIntent, At: 9, Action: addDays, ID: "mem_2"}}},
		{"odd strings", []Record{run, {Type: TypeOutcome, At: -1, Run: `q"\`, Action: "<a>", ID: "mem_é✓\u2028",
			Line: -3, Input: "\x00\n", Key: "k", Status: "s", HTTP: -1, Err: "e\t", Start: ptr(math.MinInt64),
			End: ptr(math.MaxInt64), Warn: "🎉"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { roundTrip(t, tt.rs) })
	}
}

// TestRandomRoundTrip appends random sequences of records, intents and
// their outcomes among them.
func TestRandomRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	str := func() string {
		if rng.IntN(3) == 0 {
			return []string{"", "r1", "in1", `x"\<`, "é"}[rng.IntN(5)]
		}
		return strings.Repeat("a", rng.IntN(4))
	}
	opt := func() *int64 {
		if rng.IntN(3) == 0 {
			return nil
		}
		return ptr(rng.Int64N(3) - 1)
	}
	for range 100 {
		var rs []Record
		intents := make(map[string]Record)
		for range 30 {
			id := []string{"mem_1", "mem_2", "mem_3"}[rng.IntN(3)]
			action := []string{addDays, metadata}[rng.IntN(2)]
			switch k := rng.IntN(10); {
			case k == 0:
				rs = append(rs, Record{Type: TypeRun, At: 1, Run: str(), SHA256: str(), Input: str()})
			case k < 5:
				r := Record{Type: TypeIntent, At: 2, Run: str(), Action: action, ID: id, Line: rng.IntN(3),
					Input: str(), Days: rng.IntN(2), Key: str(), Before: rng.IntN(2) == 0, PrevStart: opt(),
					PrevEnd: opt(), Attempts: rng.IntN(2), MStatus: str()}
				intents[action+id] = r
				rs = append(rs, r)
			default:
				r, ok := intents[action+id]
				if !ok || rng.IntN(4) == 0 {
					r = Record{Action: action, ID: id, Line: rng.IntN(3), Input: str(), Days: rng.IntN(2), Key: str()}
				}
				r.Type, r.At, r.Status, r.HTTP, r.Err = TypeOutcome, 3, outcome.Status(str()), rng.IntN(2), str()
				r.Start, r.End, r.Warn = opt(), opt(), str()
				if rng.IntN(3) == 0 {
					r.MStatus, r.Run = str(), str()
				}
				rs = append(rs, r)
			}
		}
		roundTrip(t, rs)
	}
}

func FuzzRecordRoundTrip(f *testing.F) {
	f.Add("mem_1", "r1", "in1", 2, int64(7), true, false)
	f.Add(`<"\>`, "", "é", -1, int64(-1), false, true)
	f.Fuzz(func(t *testing.T, s, run, input string, n int, m int64, before, changed bool) {
		if !utf8.ValidString(s) || !utf8.ValidString(run) || !utf8.ValidString(input) {
			t.Skip("encoding/json replaces invalid UTF-8")
		}
		in := Record{Type: TypeIntent, At: m, Run: run, Action: s, ID: s, Line: n, Input: input, Days: n,
			Key: s, Before: before, PrevStart: &m, Attempts: n, MStatus: s}
		out := in
		out.Type, out.Status, out.HTTP, out.Err, out.End, out.Warn = TypeOutcome, outcome.Status(s), n, s, &m, s
		if changed {
			out.MStatus, out.Attempts = run, n+1
		}
		ctx := runCtx{run: "r1", input: "in1"}
		for _, r := range []Record{
			{Type: TypeRun, At: m, Run: run, File: s, SHA256: input, PID: n, Input: s, Status: outcome.Status(s), API: s, Version: s},
			in, out,
		} {
			var buf bytes.Buffer
			var base *Record
			if r.Type == TypeOutcome && inherits(&r, &in) {
				base = &in
			}
			if err := encodeRecord(&buf, &r, ctx, base); err != nil {
				t.Fatal(err)
			}
			line := buf.Bytes()
			if bytes.IndexByte(line, '\n') != len(line)-1 {
				t.Fatalf("not one line: %q", line)
			}
			d, err := decodeLine(line[:len(line)-1], "")
			if err != nil {
				if checkShape(r.Type, r.Action != "", r.ID != "") != nil {
					return // Append refuses such records
				}
				t.Fatalf("decodeLine(%s): %v", line, err)
			}
			if d.partial {
				if err := d.complete(&in); err != nil {
					t.Fatal(err)
				}
			}
			d.place(ctx)
			if !reflect.DeepEqual(d.Record, r) {
				t.Fatalf("%s\ngave %+v\nwant %+v", line, d.Record, r)
			}
		}
	})
}

// TestDecodeRejects feeds lines that are not journal records.
func TestDecodeRejects(t *testing.T) {
	for _, line := range []string{
		``, `   `, `null`, `[1]`, `{}`, "\x00\x00\x00",
		`{"t":"run"`, `{"t":"run"}x`, `{"t":"run",}`, `{"t" "run"}`,
		`{"t":"run","at":1.5}`, `{"t":"run","at":"1"}`, `{"t":"run","at":99999999999999999999}`,
		`{"t":"note","at":1}`, `{"t":null,"at":1}`,
		`{"t":"i","at":1}`, `{"t":"o","at":1,"a":"update_metadata"}`,
		`{"t":"intent","at":1,"run":"r","id":"mem_1"}`,
		`{"t":"i","at":1,"id":"mem_1","l":"2"}`, `{"t":"i","at":1,"id":"mem_1","ps":{"a":1}}`,
		"{\"t\":\"i\",\"at\":1,\"id\":\"mem\x001\"}",
	} {
		if d, err := decodeLine([]byte(line), ""); err == nil {
			t.Errorf("decodeLine(%q) = %+v, want an error", line, d)
		}
	}
}

// TestOlderJournals reads journals the code before this format wrote,
// then resumes one: the same records come back, and new records after
// them read back as appended.
func TestOlderJournals(t *testing.T) {
	const (
		runCur = "408d6287dd701ed3"
		inCur  = "8ba31eb76ee39e33d9ff19f4744db2644a6d42b046e06cc14ade4948e38952b9"
	)
	curIntent := Record{Type: TypeIntent, At: 1796085771905, Run: runCur, Action: addDays, ID: "mem_0123456789abcdef",
		Line: 2, Input: inCur, Days: 7, Key: "bulk-1d2c952689be82dd6f0bd3f1b0ac147770fdccd6224e52f98a1fe53673a5266c",
		Before: true, PrevEnd: ptr(1800319371), Attempts: 1, MStatus: "active"}
	curOutcome := curIntent
	curOutcome.Type, curOutcome.At, curOutcome.Status, curOutcome.HTTP, curOutcome.End = TypeOutcome, 1796085771906, outcome.Applied, 200, ptr(1800924171)
	tests := []struct {
		file  string
		lines int
		want  []Record // some of the latest records
		last  Record
	}{
		{"before-current.journal", 6, []Record{curOutcome, {Type: TypeOutcome, At: 1796085771804, Run: runCur,
			Action: addDays, ID: "mem_aaaaaaaaaaaaaaaa", Line: 3, Input: inCur, Days: 30,
			Key: "bulk-aa331a1606439fba6f4b7fca484818a175cb9f97a8ac43cf99aa5d2cb4733f83", Status: outcome.Applied,
			HTTP: 200, Before: true, PrevEnd: ptr(1816562571), End: ptr(1819154571), Attempts: 1, MStatus: "active"}},
			Record{Type: TypeRun, At: 1796085771908, Run: runCur, File: "days.simulated.report.csv",
				SHA256: "15d6a47c4e09b9d5f9c0b81348c7699e7b8e3435969a9c1e8cc6a2491ee9f11c", API: "current",
				Version: "2026-11-17", Input: inCur, Status: StatusComplete}},
		{"before-v2.journal", 6, []Record{{Type: TypeOutcome, At: 1796085783576, Run: "4d769e078e0dc656",
			Action: addDays, ID: "mem_0123456789abcdef", Line: 2, Input: inCur, Days: 7,
			Key: "bulk-f49b0f05551f6b8011846fc491edf852", Status: outcome.Applied, HTTP: 201, Before: true,
			PrevEnd: ptr(1797724800), End: ptr(1798329600), Attempts: 1}}, Record{}},
		{"before-metadata.journal", 4, []Record{{Type: TypeOutcome, At: 1796085772023, Run: "cc47007c53e53dd8",
			Action: metadata, ID: "mem_0123456789abcdef", Line: 1,
			Input: "1d46215b3327a16ae04f63dfb3d7c12318ae7f72dd02b439b13ffe2097a44311",
			Key:   "bulk-e7a3c79d5a5bc521a956658856e3504c7fb88a3a9202a0d7a6a9fe2cbea6553c", Status: outcome.Applied,
			HTTP: 200, Before: true, PrevEnd: ptr(1800319371), End: ptr(1800319371), Attempts: 1, MStatus: "active",
			Warn: "replacing metadata drops keys: source"}}, Record{}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "c.journal"), string(data), 0o600)
			j := openT(t, dir, "c", Options{ReadOnly: true})
			checkLatest(t, j, tt.want)
			if rs := allRecords(t, j); len(rs) != tt.lines {
				t.Errorf("Each gave %d records, want %d", len(rs), tt.lines)
			} else if tt.last.Type != "" && !reflect.DeepEqual(rs[len(rs)-1], tt.last) {
				t.Errorf("last record %+v\nwant %+v", rs[len(rs)-1], tt.last)
			}
		})
	}

	// A run of the old code cut off after its intent for mem_0123…, then
	// resumed by this one.
	data, err := os.ReadFile(filepath.Join("testdata", "before-current.journal"))
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Join(strings.SplitAfter(string(data), "\n")[:4], "")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "c.journal"), old, 0o600)
	j := openT(t, dir, "c", Options{})
	prior, ok, err := j.Lookup(addDays, curIntent.ID)
	if err != nil || !ok || !reflect.DeepEqual(prior, curIntent) {
		t.Fatalf("in-doubt intent = %+v, %v, %v\nwant %+v", prior, ok, err, curIntent)
	}
	run := Record{Type: TypeRun, At: 1796090000000, Run: "resumed", File: "days.csv", SHA256: inCur, API: "current", Version: "2026-11-17"}
	settled := realOutcome(prior, outcome.Applied, false)
	settled.Run = "resumed"
	fresh := realIntent("resumed", inCur, "mem_bbbbbbbbbbbbbbbb", 4)
	freshOut := realOutcome(fresh, outcome.Applied, false)
	appendT(t, j, true, run, settled, fresh, freshOut)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "c.journal"))
	if !strings.HasPrefix(string(got), old) {
		t.Fatal("the older lines changed")
	}
	j = openT(t, dir, "c", Options{ReadOnly: true})
	checkLatest(t, j, []Record{settled, freshOut})
	if rs := allRecords(t, j); len(rs) != 8 || !reflect.DeepEqual(rs[4:], []Record{run, settled, fresh, freshOut}) {
		t.Errorf("Each after resuming: %+v", rs)
	}
}

// checkLatest checks that Lookup finds each of want as its key's latest
// record.
func checkLatest(t *testing.T, j *Journal, want []Record) {
	t.Helper()
	for _, w := range want {
		got, ok, err := j.Lookup(w.Action, w.ID)
		if err != nil || !ok || !reflect.DeepEqual(got, w) {
			t.Errorf("Lookup(%s, %s) = %+v, %v, %v\nwant %+v", w.Action, w.ID, got, ok, err, w)
		}
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
			nil, ptr(100), nil},
		{"one-time: the expiry moved",
			`{"t":"outcome","at":1,"run":"r","action":"add_free_days","id":"mem_1","days":7,"before":true,"prev_expires_at":200,"prev_renewal_period_end":null,"expires_at":804999,"renewal_period_end":null,"status":"applied"}`,
			nil, ptr(200), ptr(804999)},
		{"both set: the renewal end is the one free days move",
			`{"t":"outcome","at":1,"run":"r","action":"add_free_days","id":"mem_1","before":true,"prev_expires_at":5,"prev_renewal_period_end":6,"expires_at":5,"renewal_period_end":9,"status":"applied"}`,
			nil, ptr(6), ptr(9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := decodeLine([]byte(tt.line), "")
			if err != nil {
				t.Fatal(err)
			}
			r := d.Record
			if !eqDate(r.PrevStart, tt.wantPrevStart) || !eqDate(r.PrevEnd, tt.wantPrevEnd) || !eqDate(r.End, tt.wantEnd) {
				t.Errorf("prev_start %v prev_end %v end %v, want %v %v %v",
					show(r.PrevStart), show(r.PrevEnd), show(r.End), show(tt.wantPrevStart), show(tt.wantPrevEnd), show(tt.wantEnd))
			}
			if !r.Before {
				t.Error("before lost")
			}
		})
	}
}

func show(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
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

// TestFarIntent gives a row's outcome an intent more than a loc can point
// back to (a row that waited while others went on).
func TestFarIntent(t *testing.T) {
	defer func(n int) { chunkSize = n }(chunkSize)
	dir := t.TempDir()
	j := openT(t, dir, "c", Options{SyncEvery: -1})
	run := Record{Type: TypeRun, At: 1, Run: runID, SHA256: input1}
	in := realIntent(runID, input1, "mem_far", 2)
	filler := realIntent(runID, input1, "mem_filler", 3)
	filler.Err = strings.Repeat("x", backPrevious+1)
	out := realOutcome(in, outcome.Applied, false)
	appendT(t, j, false, run, in, filler, out)
	checkLatest(t, j, []Record{out, filler})
	j.Close()
	data, _ := os.ReadFile(filepath.Join(dir, "c.journal"))
	if !strings.Contains(string(data), `{"t":"o","at":1767225600152,"id":"mem_far","st":"applied"`) {
		t.Fatal("the outcome does not leave its intent's fields out")
	}
	for _, size := range []int{64 << 10, 16 << 20} { // the intent in an earlier chunk, and in the same one
		chunkSize = size
		checkLatest(t, openT(t, dir, "c", Options{ReadOnly: true}), []Record{out, filler})
	}
}

// BenchmarkDecode measures reading back an intent and its outcome: with
// fastLine, as Open and Lookup do, and with encoding/json alone.
func BenchmarkDecode(b *testing.B) {
	in := realIntent(runID, input1, "mem_0123456789abcdef", 123456)
	w := newLineWriter()
	w.line(Record{Type: TypeRun, Run: runID, SHA256: input1})
	var lines [][]byte
	for _, l := range []string{w.line(in), w.line(realOutcome(in, outcome.Applied, false))} {
		lines = append(lines, []byte(strings.TrimSuffix(l, "\n")))
	}
	for _, dec := range []struct {
		name string
		fn   func([]byte) (decoded, error)
	}{{"fast", func(b []byte) (decoded, error) { return decodeLine(b, "") }}, {"encoding-json", decodeJSON}} {
		b.Run(dec.name, func(b *testing.B) {
			var n int64
			for b.Loop() {
				for _, l := range lines {
					if _, err := dec.fn(l); err != nil {
						b.Fatal(err)
					}
					n += int64(len(l) + 1)
				}
			}
			b.SetBytes(n / int64(b.N))
		})
	}
}

// TestFastLineAgrees feeds lines near the form Append writes: whichever
// way decodeLine reads them, it reads what encoding/json reads.
func TestFastLineAgrees(t *testing.T) {
	in := realIntent(runID, input1, "mem_0123456789abcdef", 2)
	w := newLineWriter()
	w.line(Record{Type: TypeRun, Run: runID, SHA256: input1})
	written := []string{w.line(in), w.line(realOutcome(in, outcome.Applied, true))}
	for _, l := range written {
		var raw rawLine
		if !fastLine([]byte(strings.TrimSuffix(l, "\n")), &raw) {
			t.Errorf("fastLine does not take %s", l)
		}
	}
	for _, line := range []string{
		`{"t":"i","at":1,"id":"mem_1"}`,
		`{"t":"o","at":1,"id":"mem_1","l":2,"st":"applied"}`,
		`{"t":"o","at":-0,"id":"mem_1"}`,
		`{"t":"o","at":01,"id":"mem_1"}`,
		`{"t":"o","at":1.5,"id":"mem_1"}`,
		`{"t":"o","at":1e3,"id":"mem_1"}`,
		`{"t":"o","at":-,"id":"mem_1"}`,
		`{"t":"o","at":999999999999999999,"id":"mem_1"}`,
		`{"t":"o","at":9223372036854775807,"id":"mem_1"}`,
		`{"t":"o","at":9223372036854775808,"id":"mem_1"}`,
		`{"t":"o","at":"1","id":"mem_1"}`,
		`{"t":"o","id":"mem_1","at":1}`,
		`{"t":"o","at":1,"id":"mem_1","id":"mem_2"}`,
		`{"t":"o","at":1,"ID":"mem_1"}`,
		`{"t":"o","at":1,"id":"mem_1","x":2}`,
		`{"t":"o", "at":1,"id":"mem_1"}`,
		` {"t":"o","at":1,"id":"mem_1"}`,
		`{"t":"o","at":1,"id":"mem_1",}`,
		`{"t":"o","at":1,"id":"mem_1"}}`,
		`{"t":"o","at":1,"id":"mem_\u0031"}`,
		`{"t":"o","at":1,"id":"mem_\"1"}`,
		"{\"t\":\"o\",\"at\":1,\"id\":\"mem_\t1\"}",
		"{\"t\":\"o\",\"at\":1,\"id\":\"mem_é\"}",
		"{\"t\":\"o\",\"at\":1,\"id\":\"mem_\xff\"}",
		`{"t":"o","at":1,"id":"mem_1","b":true}`,
		`{"t":"o","at":1,"id":"mem_1","b":false}`,
		`{"t":"o","at":1,"id":"mem_1","b":truex}`,
		`{"t":"o","at":1,"id":"mem_1","ps":null}`,
		`{"t":"o","at":1,"id":"mem_1","l":null}`,
		`{"t":"o","at":1,"id":"mem_1","run":""}`,
		`{"t":"o","at":1,"id":"mem_1","a":""}`,
		`{"t":"o","at":1,"a":"","id":"mem_1"}`,
		`{"t":"o","at":1,"a":"update_metadata","id":"mem_1","l":0}`,
		`{"t":"o","at":1,"id":""}`,
		`{"t":"intent","at":1,"id":"mem_1"}`,
		`{"t":"run","at":1,"run":"r"}`,
		`{"t":"o","at":1,"id":"mem_1"`,
		`{"t":"o"}`,
		`{}`,
		`{"t":"o","at":1,"id":"mem_1","n":1,"ms":"active","w":"x"}`,
		`{"t":"o","at":1,"id":"mem_1","ms":"active","n":1}`,
	} {
		t.Run(line, func(t *testing.T) { compareDecoders(t, []byte(line)) })
	}
}

func compareDecoders(t *testing.T, line []byte) {
	t.Helper()
	got, gotErr := decodeLine(line, "")
	want, wantErr := decodeJSON(line)
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("decodeLine(%q) error %v, encoding/json: %v", line, gotErr, wantErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decodeLine(%q)\n got %+v\nwant %+v", line, got, want)
	}
	var raw rawLine
	if fastLine(line, &raw) {
		if action, id := raw.key(line); string(action) != want.Action || string(id) != want.ID {
			t.Fatalf("fastLine(%q) key %s %s, want %s %s", line, action, id, want.Action, want.ID)
		}
		if kind := raw.kind(line); kind != kindOf(&want) {
			t.Fatalf("fastLine(%q) kind %d, want %d", line, kind, kindOf(&want))
		}
	}
}

// FuzzDecodeLine checks that fastLine reads any line as encoding/json
// does.
func FuzzDecodeLine(f *testing.F) {
	in := realIntent(runID, input1, "mem_0123456789abcdef", 2)
	out := realOutcome(in, outcome.Unknown, true)
	out.Err = "connection reset"
	w := newLineWriter()
	for _, r := range []Record{{Type: TypeRun, Run: runID, SHA256: input1}, in, out, out} {
		f.Add([]byte(strings.TrimSuffix(w.line(r), "\n")))
	}
	f.Add([]byte(`{"t":"o","at":1,"id":"mem_1","ps":null}`))
	f.Fuzz(func(t *testing.T, line []byte) { compareDecoders(t, line) })
}
