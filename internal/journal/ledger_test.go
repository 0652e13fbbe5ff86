package journal

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func openLedgerT(t *testing.T, dir string, readOnly bool) *Ledger {
	t.Helper()
	l, err := OpenLedger(dir, readOnly)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func recordT(t *testing.T, l *Ledger, es ...LedgerEntry) {
	t.Helper()
	for _, e := range es {
		if err := l.Record(e); err != nil {
			t.Fatalf("Record(%+v): %v", e, err)
		}
	}
}

func entry(id, campaign string, days int, minutes int) LedgerEntry {
	return LedgerEntry{ID: id, Campaign: campaign, Days: days, At: t0.Add(time.Duration(minutes) * time.Minute)}
}

const (
	sha1 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	sha2 = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
)

func TestLedgerRoundTrip(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state") // created by OpenLedger
	l := openLedgerT(t, dir, false)
	recordT(t, l,
		entry("mem_1", "nov", 7, 0),
		entry("mem_2", "nov", 7, 1),
		entry("mem_1", "nov-copy", 3, 2),
		LedgerEntry{ID: `mem_<odd>"\`, Campaign: "dec", Days: 1, At: t0.Add(1500 * time.Microsecond)},
	)
	for _, in := range []struct {
		sha, campaign string
		minutes       int
	}{{sha1, "nov", 0}, {sha1, "nov-copy", 2}, {sha2, "dec", 3}} {
		if err := l.RecordInput(in.sha, in.campaign, t0.Add(time.Duration(in.minutes)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	check := func(t *testing.T, l *Ledger) {
		t.Helper()
		if n := l.Len(); n != 3 {
			t.Errorf("Len() = %d, want 3", n)
		}
		for _, c := range []struct {
			id, campaign string
			want         LedgerEntry
			ok           bool
		}{
			{"mem_1", "nov-copy", entry("mem_1", "nov", 7, 0), true},
			{"mem_1", "nov", entry("mem_1", "nov-copy", 3, 2), true},
			{"mem_1", "other", entry("mem_1", "nov", 7, 0), true},
			{"mem_2", "nov", LedgerEntry{}, false},
			{"mem_2", "dec", entry("mem_2", "nov", 7, 1), true},
			{`mem_<odd>"\`, "nov", LedgerEntry{ID: `mem_<odd>"\`, Campaign: "dec", Days: 1, At: t0.Add(time.Millisecond)}, true},
			{"mem_3", "nov", LedgerEntry{}, false},
			{"", "nov", LedgerEntry{}, false},
		} {
			got, ok := ledgerOther(t, l, c.id, c.campaign)
			if ok != c.ok || got != c.want || ok && got.At.Location() != time.UTC {
				t.Errorf("Other(%q, %q) = %+v, %v; want %+v, %v", c.id, c.campaign, got, ok, c.want, c.ok)
			}
		}
		for _, c := range []struct {
			sha, campaign, want string
			minutes             int
		}{
			{sha1, "nov", "nov-copy", 2},
			{sha1, "nov-copy", "nov", 0},
			{sha1, "x", "nov", 0},
			{sha2, "dec", "", 0},
			{sha2, "nov", "dec", 3},
			{strings.Repeat("0", 64), "nov", "", 0},
		} {
			got, at, ok := l.InputRunBy(c.sha, c.campaign)
			wantAt := time.Time{}
			if c.want != "" {
				wantAt = t0.Add(time.Duration(c.minutes) * time.Minute)
			}
			if got != c.want || ok != (c.want != "") || !at.Equal(wantAt) {
				t.Errorf("InputRunBy(%.8s, %q) = %q, %v, %v; want %q, %v", c.sha, c.campaign, got, at, ok, c.want, wantAt)
			}
		}
	}
	t.Run("live", func(t *testing.T) { check(t, l) })
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	t.Run("reopened", func(t *testing.T) { check(t, openLedgerT(t, dir, false)) })
	t.Run("read-only", func(t *testing.T) { check(t, openLedgerT(t, dir, true)) })

	data, err := os.ReadFile(filepath.Join(dir, "ledger"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"mem_1","c":"nov","d":7,"at":1767225600000}
{"id":"mem_2","c":"nov","d":7,"at":1767225660000}
{"id":"mem_1","c":"nov-copy","d":3,"at":1767225720000}
{"id":"mem_\u003codd\u003e\"\\","c":"dec","d":1,"at":1767225600001}
{"input":"` + sha1 + `","c":"nov","at":1767225600000}
{"input":"` + sha1 + `","c":"nov-copy","at":1767225720000}
{"input":"` + sha2 + `","c":"dec","at":1767225780000}
`
	if string(data) != want {
		t.Errorf("ledger file:\n%s\nwant:\n%s", data, want)
	}
	fi, err := os.Stat(filepath.Join(dir, "ledger"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("ledger mode %#o, want 0600", perm)
	}
}

// TestLedgerOther records one membership's entries in order and asks for
// each campaign's earliest other entry, live and after reopening.
func TestLedgerOther(t *testing.T) {
	type rec struct {
		campaign string
		minutes  int
		days     int
	}
	type ask struct {
		campaign string
		want     int // index in the recs of the answer, -1: none
	}
	for _, c := range []struct {
		name string
		recs []rec
		asks []ask
	}{
		{"one campaign",
			[]rec{{"a", 0, 7}, {"a", 5, 7}},
			[]ask{{"a", -1}, {"b", 0}}},
		{"earliest other",
			[]rec{{"a", 0, 1}, {"b", 1, 2}, {"c", 2, 3}, {"b", 3, 4}},
			[]ask{{"a", 1}, {"b", 0}, {"c", 0}, {"d", 0}}},
		{"own entries skipped whatever their number",
			[]rec{{"a", 0, 1}, {"a", 1, 2}, {"a", 2, 3}, {"c", 3, 4}, {"a", 4, 5}, {"b", 5, 6}},
			[]ask{{"a", 3}, {"c", 0}, {"b", 0}}},
		{"a later line with an earlier time",
			[]rec{{"a", 10, 1}, {"b", 20, 2}, {"c", 5, 3}},
			[]ask{{"a", 2}, {"b", 2}, {"c", 0}}},
		{"earlier time, same campaign as the first",
			[]rec{{"a", 10, 1}, {"b", 20, 2}, {"a", 5, 3}},
			[]ask{{"a", 1}, {"b", 2}, {"x", 2}}},
		{"equal times: file order",
			[]rec{{"a", 0, 1}, {"b", 0, 2}, {"c", 0, 3}},
			[]ask{{"a", 1}, {"b", 0}, {"c", 0}}},
		{"other replaced by an earlier one",
			[]rec{{"a", 0, 1}, {"b", 20, 2}, {"c", 10, 3}},
			[]ask{{"a", 2}, {"b", 0}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			l := openLedgerT(t, dir, false)
			var es []LedgerEntry
			for _, r := range c.recs {
				e := entry("mem_1", r.campaign, r.days, r.minutes)
				es = append(es, e)
				recordT(t, l, e, entry("mem_x", r.campaign, 1, 0))
			}
			check := func(l *Ledger) {
				t.Helper()
				for _, a := range c.asks {
					got, ok := ledgerOther(t, l, "mem_1", a.campaign)
					var want LedgerEntry
					if a.want >= 0 {
						want = es[a.want]
					}
					if ok != (a.want >= 0) || got != want {
						t.Errorf("Other(mem_1, %q) = %+v, %v; want %+v, %v", a.campaign, got, ok, want, a.want >= 0)
					}
				}
			}
			check(l)
			l.Close()
			check(openLedgerT(t, dir, true))
		})
	}
}

func TestLedgerRecordChecks(t *testing.T) {
	dir := t.TempDir()
	l := openLedgerT(t, dir, false)
	for _, e := range []LedgerEntry{
		{ID: "", Campaign: "nov", Days: 1},
		{ID: "mem_1", Campaign: "", Days: 1},
		{ID: "mem_1", Campaign: ".hidden", Days: 1},
		{ID: "mem_1", Campaign: "a/b", Days: 1},
		{ID: "mem_1", Campaign: "nov", Days: 0},
		{ID: "mem_1", Campaign: "nov", Days: -3},
		{ID: "mem_1", Campaign: "nov", Days: 1 << 40},
	} {
		if err := l.Record(e); err == nil {
			t.Errorf("Record(%+v) succeeded", e)
		}
	}
	for _, sha := range []string{"", "abc", strings.ToUpper(sha1), sha1 + "0", sha1[:63] + "g"} {
		if err := l.RecordInput(sha, "nov", t0); err == nil {
			t.Errorf("RecordInput(%q) succeeded", sha)
		}
	}
	if err := l.RecordInput(sha1, "no campaign", t0); err == nil {
		t.Error("RecordInput with a bad campaign name succeeded")
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "ledger")); len(data) != 0 {
		t.Errorf("refused records were written: %q", data)
	}
	// A zero time is now.
	before := time.Now().Truncate(time.Millisecond)
	recordT(t, l, LedgerEntry{ID: "mem_1", Campaign: "nov", Days: 2})
	e, ok := ledgerOther(t, l, "mem_1", "dec")
	if !ok || e.At.Before(before) || e.At.After(time.Now()) {
		t.Errorf("Other = %+v, %v; want At now", e, ok)
	}
}

func TestLedgerLineParse(t *testing.T) {
	for _, c := range []struct {
		line string
		want ledgerLine // zero: an error
	}{
		{`{"id":"mem_1","c":"nov","d":7,"at":1767225600000}`, ledgerLine{ID: "mem_1", C: "nov", D: 7, At: 1767225600000}},
		{`{"input":"abc","c":"nov","at":0}`, ledgerLine{Input: "abc", C: "nov"}},
		{`{"at":5, "d":7 ,"c":"nov","id":"mem_1"}`, ledgerLine{ID: "mem_1", C: "nov", D: 7, At: 5}},
		{`{"id":"mem_\u0031","c":"n\u006fv","d":7,"at":-5}`, ledgerLine{ID: "mem_1", C: "nov", D: 7, At: -5}},
		{`{"id":"mem_é","c":"nov","d":7,"at":1}`, ledgerLine{ID: "mem_é", C: "nov", D: 7, At: 1}},
		{`{"id":"mem_1","c":"nov","d":7,"at":1,"new":true}`, ledgerLine{ID: "mem_1", C: "nov", D: 7, At: 1}},
		{`{"id":"mem_1","c":"nov","d":7,"at":1234567890123456789}`, ledgerLine{ID: "mem_1", C: "nov", D: 7, At: 1234567890123456789}},
		// not ledger records
		{``, ledgerLine{}},
		{`{}`, ledgerLine{}},
		{`null`, ledgerLine{}},
		{`{"id":"mem_1","c":"nov","d":7,"at":1`, ledgerLine{}},
		{`{"id":"mem_1","c":"nov","d":7,"at":1}x`, ledgerLine{}},
		{`{"id":"mem_1","c":"nov","d":07,"at":1}`, ledgerLine{}},
		{`{"id":"mem_1","c":"nov","d":7.0,"at":1}`, ledgerLine{}},
		{`{"id":"mem_1","c":"nov","d":0,"at":1}`, ledgerLine{}},
		{`{"id":"mem_1","c":"nov","d":2147483648,"at":1}`, ledgerLine{}},
		{`{"id":"mem_1","c":"nov","at":1}`, ledgerLine{}},
		{`{"id":"mem_1","d":7,"at":1}`, ledgerLine{}},
		{`{"id":"mem_1","c":"nov","d":7}`, ledgerLine{}},
		{`{"id":"","c":"nov","d":7,"at":1}`, ledgerLine{}},
		{`{"id":"mem_1","c":"../x","d":7,"at":1}`, ledgerLine{}},
		{`{"id":"mem_1","c":"","d":7,"at":1}`, ledgerLine{}},
		{`{"id":null,"c":"nov","d":7,"at":1}`, ledgerLine{}},
		{`{"input":"abc","c":"nov","d":7,"at":1}`, ledgerLine{}},
		{`{"input":"abc","id":"mem_1","c":"nov","d":7,"at":1}`, ledgerLine{}},
		{`{"input":"","c":"nov","at":1}`, ledgerLine{}},
		{`{"t":"intent","at":1,"run":"R","action":"add_free_days","id":"mem_1"}`, ledgerLine{}},
		{"{\"id\":\"mem\x001\",\"c\":\"nov\",\"d\":7,\"at\":1}", ledgerLine{}},
	} {
		r, err := parseLedgerLine([]byte(c.line))
		if c.want == (ledgerLine{}) {
			if err == nil {
				t.Errorf("parseLedgerLine(%s) = %+v, want an error", c.line, r)
			}
			continue
		}
		if err != nil || r != c.want {
			t.Errorf("parseLedgerLine(%s) = %+v, %v; want %+v", c.line, r, err, c.want)
		}
		// What appendTo writes parses back to the same.
		if back, err := parseLedgerLine(bytes.TrimSuffix(r.appendTo(nil), []byte("\n"))); err != nil || back != r {
			t.Errorf("parseLedgerLine(appendTo(%s)) = %+v, %v", c.line, back, err)
		}
	}
}

func ledgerLines(n int, campaign string) string {
	var b []byte
	for i := range n {
		r := ledgerLine{ID: fmt.Sprintf("mem_%d", i), C: campaign, D: 7, At: t0.UnixMilli()}
		b = r.appendTo(b)
	}
	return string(b)
}

func TestLedgerTornTail(t *testing.T) {
	good := ledgerLines(3, "nov")
	for _, c := range []struct {
		name, tail string
		keep       int // good lines kept
	}{
		{"no newline", `{"id":"mem_9","c":"nov","d":7,"at":17`, 3},
		{"whole line without its newline", `{"id":"mem_9","c":"nov","d":7,"at":17}`, 3},
		{"undecodable last line", "\x00\x00\x00\x00\n", 3},
		{"only a torn line", "", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			content := good + c.tail
			if c.keep == 0 {
				content = `{"id":"mem_0","c":"n`
			}
			path := filepath.Join(dir, "ledger")
			writeFile(t, path, content, 0o600)
			for _, ro := range []bool{true, false} {
				l := openLedgerT(t, dir, ro)
				if n := l.Len(); n != c.keep {
					t.Errorf("read-only %v: Len() = %d, want %d", ro, n, c.keep)
				}
				l.Close()
			}
			if data, _ := os.ReadFile(path); string(data) != content {
				t.Errorf("Open changed the file to %q", data)
			}
			// The first Record cuts the torn tail off before it appends.
			l := openLedgerT(t, dir, false)
			recordT(t, l, entry("mem_new", "dec", 1, 0))
			l.Close()
			want := good[:len(good)*c.keep/3] + `{"id":"mem_new","c":"dec","d":1,"at":1767225600000}` + "\n"
			if data, _ := os.ReadFile(path); string(data) != want {
				t.Errorf("after Record the file is\n%q\nwant\n%q", data, want)
			}
			l = openLedgerT(t, dir, false)
			if n := l.Len(); n != c.keep+1 {
				t.Errorf("reopened: Len() = %d, want %d", n, c.keep+1)
			}
		})
	}
}

// TestLedgerTornTailLong cuts off a torn line longer than goodEnd's first
// read.
func TestLedgerTornTailLong(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ledger")
	good := ledgerLines(2, "nov")
	writeFile(t, path, good+`{"id":"`+strings.Repeat("x", 10000), 0o600)
	l := openLedgerT(t, dir, false)
	recordT(t, l, entry("mem_new", "dec", 1, 0))
	want := good + `{"id":"mem_new","c":"dec","d":1,"at":1767225600000}` + "\n"
	if data, _ := os.ReadFile(path); string(data) != want {
		t.Errorf("after Record the file is %q, want %q", data, want)
	}
}

func TestLedgerCorruptMiddle(t *testing.T) {
	lines := strings.SplitAfter(ledgerLines(4, "nov"), "\n")
	for _, c := range []struct {
		name    string
		content string
		line    int
	}{
		{"garbage", lines[0] + "garbage\n" + lines[1], 2},
		{"torn line then more", lines[0] + lines[1][:10] + "\n" + lines[2] + lines[3], 2},
		{"bad line then a torn one", lines[0] + lines[1] + "{}\n" + lines[2][:10], 3},
		{"a journal record", lines[0] + `{"t":"run","at":1,"run":"R"}` + "\n" + lines[1], 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "ledger")
			writeFile(t, path, c.content, 0o600)
			for _, ro := range []bool{true, false} {
				_, err := OpenLedger(dir, ro)
				var ce *CorruptError
				if !errors.As(err, &ce) || ce.Line != c.line || ce.Path != path {
					t.Errorf("read-only %v: OpenLedger = %v, want a *CorruptError at line %d", ro, err, c.line)
				}
			}
			if data, _ := os.ReadFile(path); string(data) != c.content {
				t.Errorf("OpenLedger changed the file to %q", data)
			}
		})
	}
}

func TestLedgerReadOnlyMissing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "missing")
	l := openLedgerT(t, dir, true)
	if l.Len() != 0 {
		t.Errorf("Len() = %d", l.Len())
	}
	if _, ok := ledgerOther(t, l, "mem_1", "nov"); ok {
		t.Error("Other found something in a missing ledger")
	}
	if err := l.Record(entry("mem_1", "nov", 1, 0)); err == nil {
		t.Error("Record on a read-only ledger succeeded")
	}
	if err := l.RecordInput(sha1, "nov", t0); err == nil {
		t.Error("RecordInput on a read-only ledger succeeded")
	}
	if err := l.Close(); err != nil {
		t.Error(err)
	}
	if _, err := os.Lstat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the read-only open created the directory: %v", err)
	}

	// An existing directory without a ledger.
	dir = t.TempDir()
	l = openLedgerT(t, dir, true)
	if l.Len() != 0 {
		t.Errorf("Len() = %d", l.Len())
	}
	if _, err := os.Lstat(filepath.Join(dir, "ledger")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the read-only open created the ledger: %v", err)
	}
}

func TestLedgerUnsafe(t *testing.T) {
	content := ledgerLines(1, "nov")
	for _, c := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		what  string
	}{
		{"symlink", func(t *testing.T, dir string) {
			target := filepath.Join(t.TempDir(), "elsewhere")
			writeFile(t, target, content, 0o600)
			symlink(t, target, filepath.Join(dir, "ledger"))
		}, whatLedger},
		{"dangling symlink", func(t *testing.T, dir string) {
			symlink(t, filepath.Join(t.TempDir(), "nothing"), filepath.Join(dir, "ledger"))
		}, whatLedger},
		{"hard link", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "ledger"), content, 0o600)
			link(t, filepath.Join(dir, "ledger"), filepath.Join(dir, "other"))
		}, whatLedger},
		{"group-writable", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "ledger"), content, 0o620)
		}, whatLedger},
		{"directory", func(t *testing.T, dir string) {
			mkdir(t, filepath.Join(dir, "ledger"), 0o700)
		}, whatLedger},
		{"named pipe", func(t *testing.T, dir string) {
			if err := syscall.Mkfifo(filepath.Join(dir, "ledger"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, whatLedger},
		{"state directory writable by others", func(t *testing.T, dir string) {
			writeFile(t, filepath.Join(dir, "ledger"), content, 0o600)
			if err := os.Chmod(dir, 0o777); err != nil {
				t.Fatal(err)
			}
		}, whatDir},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "state")
			mkdir(t, dir, 0o700)
			c.setup(t, dir)
			for _, ro := range []bool{true, false} {
				l, err := OpenLedger(dir, ro)
				var ue *UnsafeError
				if !errors.As(err, &ue) || ue.What != c.what {
					if l != nil {
						l.Close()
					}
					t.Errorf("read-only %v: OpenLedger = %v, want an *UnsafeError about the %s", ro, err, c.what)
				}
			}
		})
	}
}

func TestLedgerClosed(t *testing.T) {
	l := openLedgerT(t, t.TempDir(), false)
	recordT(t, l, entry("mem_1", "nov", 1, 0))
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(entry("mem_2", "nov", 1, 0)); !errors.Is(err, ErrClosed) {
		t.Errorf("Record after Close = %v, want ErrClosed", err)
	}
	if err := l.RecordInput(sha1, "nov", t0); !errors.Is(err, ErrClosed) {
		t.Errorf("RecordInput after Close = %v, want ErrClosed", err)
	}
	if _, ok := ledgerOther(t, l, "mem_1", "dec"); !ok {
		t.Error("Other after Close lost the index")
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// checkLedgerFile checks that every line of the ledger in dir is whole and
// returns how many there are.
func checkLedgerFile(t *testing.T, dir string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "ledger"))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		t.Fatal("the ledger does not end with a newline")
	}
	n := 0
	for line := range bytes.Lines(data) {
		n++
		if _, err := parseLedgerLine(bytes.TrimSuffix(line, []byte("\n"))); err != nil {
			t.Fatalf("line %d is not whole: %v: %.80q", n, err, line)
		}
	}
	return n
}

// longID makes lines of several kilobytes, which span pages.
func longID(campaign string, i int) string {
	return fmt.Sprintf("mem_%s_%d_%s", campaign, i, strings.Repeat("x", i%7000))
}

// TestLedgerTwoWriters appends from two Ledgers of one state directory at
// once, as two processes running two campaigns would: their lines never
// interleave, neither sees the other's later lines, and a fresh Open sees
// all of them.
func TestLedgerTwoWriters(t *testing.T) {
	dir := t.TempDir()
	const n = 300
	campaigns := []string{"nov", "nov-renamed"}
	ls := []*Ledger{openLedgerT(t, dir, false), openLedgerT(t, dir, false)}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for k, l := range ls {
		for g := range 2 { // and two goroutines in each
			wg.Go(func() {
				for i := g; i < n; i += 2 {
					if err := l.Record(LedgerEntry{ID: longID(campaigns[k], i), Campaign: campaigns[k], Days: 1 + i%30}); err != nil {
						errs <- err
						return
					}
					if _, ok := ledgerOther(t, l, "mem_shared", campaigns[k]); ok {
						errs <- errors.New("saw the other writer's line")
						return
					}
				}
				if err := l.Record(LedgerEntry{ID: "mem_shared", Campaign: campaigns[k], Days: 1}); err != nil {
					errs <- err
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, l := range ls {
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := checkLedgerFile(t, dir), 2*n+4; got != want {
		t.Errorf("%d lines, want %d", got, want)
	}
	l := openLedgerT(t, dir, true)
	if got, want := l.Len(), 2*n+1; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	for k, c := range campaigns {
		other := campaigns[1-k]
		if e, ok := ledgerOther(t, l, longID(other, 7), c); !ok || e.Campaign != other || e.Days != 8 {
			t.Errorf("Other(%s, %s) = %+v, %v", longID(other, 7)[:16], c, e, ok)
		}
		if e, ok := ledgerOther(t, l, "mem_shared", c); !ok || e.Campaign != other {
			t.Errorf("Other(mem_shared, %s) = %+v, %v", c, e, ok)
		}
	}
}

// TestLedgerTwoProcesses is TestLedgerTwoWriters with processes.
func TestLedgerTwoProcesses(t *testing.T) {
	if dir := os.Getenv("LEDGER_CHILD_DIR"); dir != "" {
		if err := ledgerChild(dir, os.Getenv("LEDGER_CHILD_CAMPAIGN")); err != nil {
			fmt.Println("child:", err)
			os.Exit(1)
		}
		return
	}
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir()
	campaigns := []string{"nov", "dec"}
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for _, c := range campaigns {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLedgerTwoProcesses$")
		cmd.Env = append(os.Environ(), "LEDGER_CHILD_DIR="+dir, "LEDGER_CHILD_CAMPAIGN="+c)
		out := new(bytes.Buffer)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %s: %v\n%s", campaigns[i], err, outs[i])
		}
	}
	if got, want := checkLedgerFile(t, dir), 2*ledgerChildRecords; got != want {
		t.Errorf("%d lines, want %d", got, want)
	}
	l := openLedgerT(t, dir, false)
	if got, want := l.Len(), 2*ledgerChildRecords; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	for _, c := range campaigns {
		if _, ok := ledgerOther(t, l, longID(c, 3), "x"); !ok {
			t.Errorf("%s's line 3 is missing", c)
		}
	}
}

const ledgerChildRecords = 200

func ledgerChild(dir, campaign string) error {
	l, err := OpenLedger(dir, false)
	if err != nil {
		return err
	}
	for i := range ledgerChildRecords {
		if err := l.Record(LedgerEntry{ID: longID(campaign, i), Campaign: campaign, Days: 1}); err != nil {
			return err
		}
	}
	return l.Close()
}

// BenchmarkOpenLedger1M opens a ledger of 1M extensions (950,000
// memberships by 20 campaigns, and 50,000 of them again by another
// campaign, as a renamed copy of an input would) and asks Other of one
// membership in a hundred.
func BenchmarkOpenLedger1M(b *testing.B) {
	const entries, repeats = 1_000_000, 50_000
	dir := b.TempDir()
	path := filepath.Join(dir, "ledger")
	if err := writeBigLedger(path, entries, repeats); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	debug.FreeOSMemory()
	resetPeakRSS()
	var opening time.Duration
	var retained uint64
	cpu0 := cpuTime()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		l, err := OpenLedger(dir, false)
		if err != nil {
			b.Fatal(err)
		}
		// A large ledger reads its memberships at the first question:
		// counted with the opening.
		if n := l.Len(); n != entries-repeats {
			b.Fatalf("Len() = %d, want %d", n, entries-repeats)
		}
		opening += time.Since(start)
		for i := 0; i < entries-repeats; i += 100 {
			e, ok := ledgerOther(b, l, bigID(i), "nobody")
			if !ok || e.ID != bigID(i) {
				b.Fatalf("Other(%s) = %+v, %v", bigID(i), e, ok)
			}
			if _, ok := ledgerOther(b, l, bigID(i), bigCampaign(i)); ok != (i < repeats) {
				b.Fatalf("Other(%s, own campaign) = %v", bigID(i), ok)
			}
		}
		b.StopTimer()
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		l.Close()
		runtime.KeepAlive(l)
		l = nil
		runtime.GC()
		runtime.ReadMemStats(&ms)
		retained += before - ms.HeapAlloc
		b.StartTimer()
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(opening.Milliseconds())/float64(b.N), "open-ms")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms")
	b.ReportMetric(float64(retained)/float64(b.N)/(1<<20), "index-MiB")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "ledger-MiB")
}

// bigCampaign is the campaign of bigID(i): 20 campaigns, one after another.
func bigCampaign(i int) string {
	return "2026-11-compensation-" + strconv.Itoa(i*20/(1_000_000-50_000))
}

func writeBigLedger(path string, entries, repeats int) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var buf []byte
	at := t0.UnixMilli()
	for i := range entries - repeats {
		r := ledgerLine{ID: bigID(i), C: bigCampaign(i), D: 7, At: at + int64(i)}
		buf = r.appendTo(buf[:0])
		w.Write(buf)
	}
	for i := range repeats {
		r := ledgerLine{ID: bigID(i), C: "2026-11-compensation-copy", D: 7, At: at + int64(entries+i)}
		buf = r.appendTo(buf[:0])
		w.Write(buf)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// BenchmarkLedgerRecord measures durable Records, one at a time and from
// 8 goroutines per CPU at once (which share fsyncs).
func BenchmarkLedgerRecord(b *testing.B) {
	open := func(b *testing.B) *Ledger {
		l, err := OpenLedger(b.TempDir(), false)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { l.Close() })
		return l
	}
	b.Run("sequential", func(b *testing.B) {
		l := open(b)
		for i := range b.N {
			if err := l.Record(LedgerEntry{ID: bigID(i), Campaign: "nov", Days: 7}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		l := open(b)
		var n atomic.Int64
		b.SetParallelism(8)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := l.Record(LedgerEntry{ID: bigID(int(n.Add(1))), Campaign: "nov", Days: 7}); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// ledgerOther is l.Other for a test, which fails on an error.
func ledgerOther(t testing.TB, l *Ledger, id, campaign string) (LedgerEntry, bool) {
	t.Helper()
	e, ok, err := l.Other(id, campaign)
	if err != nil {
		t.Fatalf("Other(%q, %q): %v", id, campaign, err)
	}
	return e, ok
}
