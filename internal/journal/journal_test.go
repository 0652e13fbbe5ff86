package journal

import (
	"bufio"
	"bulk/internal/outcome"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
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

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

const (
	addDays  = "add_free_days"
	metadata = "update_metadata"
)

func openT(t *testing.T, dir, campaign string, opt Options) *Journal {
	t.Helper()
	j, err := Open(dir, campaign, opt)
	if err != nil {
		t.Fatalf("Open(%s, %s): %v", dir, campaign, err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func appendT(t *testing.T, j *Journal, durable bool, rs ...Record) {
	t.Helper()
	for _, r := range rs {
		if err := j.Append(r, durable); err != nil {
			t.Fatalf("Append(%+v): %v", r, err)
		}
	}
}

func intent(action, id string, line int) Record {
	return Record{Type: TypeIntent, At: int64(line), Run: "r1", Action: action, ID: id, Line: line,
		Key: "k-" + id, Before: true, PrevStart: ptr(1767225600)}
}

func outcomeRec(action, id string, line int, status outcome.Status) Record {
	return Record{Type: TypeOutcome, At: int64(line), Run: "r1", Action: action, ID: id, Line: line,
		Status: status, HTTP: 200, Start: ptr(1767830400), Attempts: 1}
}

// lookupCase is a Lookup and the record it must find (nil: none).
type lookupCase struct {
	action, id string
	want       *Record
}

func checkLookups(t *testing.T, j *Journal, cases []lookupCase) {
	t.Helper()
	for _, c := range cases {
		got, ok, err := j.Lookup(c.action, c.id)
		if err != nil {
			t.Errorf("Lookup(%s, %s): %v", c.action, c.id, err)
			continue
		}
		switch {
		case c.want == nil && ok:
			t.Errorf("Lookup(%s, %s) = %+v, want nothing", c.action, c.id, got)
		case c.want != nil && !ok:
			t.Errorf("Lookup(%s, %s) found nothing, want %+v", c.action, c.id, *c.want)
		case c.want != nil && !reflect.DeepEqual(got, *c.want):
			t.Errorf("Lookup(%s, %s)\n got %+v\nwant %+v", c.action, c.id, got, *c.want)
		}
	}
}

func allRecords(t *testing.T, j *Journal) []Record {
	t.Helper()
	var rs []Record
	if err := j.Each(func(r Record) error { rs = append(rs, r); return nil }); err != nil {
		t.Fatalf("Each: %v", err)
	}
	return rs
}

func TestAppendLookupLatestWins(t *testing.T) {
	dir := t.TempDir()
	run := Record{Type: TypeRun, At: 1, Run: "r1", File: "nov.csv", SHA256: "abc", PID: 7}
	i1, o1 := intent(addDays, "mem_1", 2), outcomeRec(addDays, "mem_1", 2, outcome.Applied)
	i2 := intent(addDays, "mem_2", 3)
	m1, m1b := intent(metadata, "mem_1", 4), outcomeRec(metadata, "mem_1", 4, outcome.Failed)
	m1c := outcomeRec(metadata, "mem_1", 9, outcome.Applied)
	written := []Record{run, i1, i2, o1, m1, m1b, m1c}
	cases := []lookupCase{
		{addDays, "mem_1", &o1},
		{addDays, "mem_2", &i2},
		{metadata, "mem_1", &m1c},
		{metadata, "mem_2", nil},
		{addDays, "mem_3", nil},
		{"run", "", nil},
	}

	j := openT(t, dir, "nov", Options{})
	appendT(t, j, true, written...)
	checkLookups(t, j, cases)
	if got, want := j.Len(), 3; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	j = openT(t, dir, "nov", Options{})
	checkLookups(t, j, cases)
	if got := allRecords(t, j); !reflect.DeepEqual(got, written) {
		t.Errorf("reopened records\n got %+v\nwant %+v", got, written)
	}
	if got, want := j.Stats().Records, len(written); got != want {
		t.Errorf("Stats().Records = %d, want %d", got, want)
	}
}

func TestAppendSetsTimeAndChecksShape(t *testing.T) {
	j := openT(t, t.TempDir(), "c", Options{})
	tests := []struct {
		name    string
		r       Record
		wantErr bool
	}{
		{"run", Record{Type: TypeRun, Run: "r"}, false},
		{"intent", intent(addDays, "mem_1", 2), false},
		{"no type", Record{Action: addDays, ID: "mem_1"}, true},
		{"unknown type", Record{Type: "note"}, true},
		{"intent without id", Record{Type: TypeIntent, Action: addDays}, true},
		{"outcome without action", Record{Type: TypeOutcome, ID: "mem_1"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := j.Append(tt.r, false)
			if (err != nil) != tt.wantErr {
				t.Errorf("Append(%+v) error %v, want error %v", tt.r, err, tt.wantErr)
			}
		})
	}
	rs := allRecords(t, j)
	if rs[0].At == 0 {
		t.Errorf("Append left At zero")
	}
}

// encoded returns the lines of rs, as one Journal appending them writes
// them.
func encoded(rs ...Record) []byte {
	w := newLineWriter()
	var b []byte
	for _, r := range rs {
		b = append(b, w.line(r)...)
	}
	return b
}

func TestTornTail(t *testing.T) {
	good := []Record{intent(addDays, "mem_1", 2), outcomeRec(addDays, "mem_1", 2, outcome.Applied), intent(addDays, "mem_2", 3)}
	next := encoded(outcomeRec(addDays, "mem_2", 3, outcome.Applied))
	tests := []struct {
		name string
		tail string
	}{
		{"nothing", ""},
		{"half a record", string(next[:len(next)/2])},
		{"whole record without newline", string(next[:len(next)-1])},
		{"garbage line", "garbage\n"},
		{"garbage without newline", "\x00\x00\x00\x00"},
		{"empty line", "\n"},
		{"truncated object", `{"t":"outcome","action":"add_free_days"` + "\n"},
		{"intent without id", `{"t":"intent","action":"add_free_days"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "c.journal")
			content := append(encoded(good...), tt.tail...)
			if err := os.WriteFile(path, content, 0o600); err != nil {
				t.Fatal(err)
			}

			ro := openT(t, dir, "c", Options{ReadOnly: true})
			if got := allRecords(t, ro); !reflect.DeepEqual(got, good) {
				t.Errorf("read-only records\n got %+v\nwant %+v", got, good)
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, content) {
				t.Errorf("read-only Open changed the file")
			}

			j := openT(t, dir, "c", Options{})
			if got := allRecords(t, j); !reflect.DeepEqual(got, good) {
				t.Errorf("records\n got %+v\nwant %+v", got, good)
			}
			if got, want := j.Stats().TornBytes, int64(len(tt.tail)); got != want {
				t.Errorf("TornBytes = %d, want %d", got, want)
			}
			last := outcomeRec(addDays, "mem_2", 3, outcome.Failed)
			appendT(t, j, true, last)
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}

			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if want := encoded(append(good, last)...); !bytes.Equal(b, want) {
				t.Errorf("file after append\n got %q\nwant %q", b, want)
			}
			for i, line := range strings.SplitAfter(string(b), "\n") {
				if line != "" && !json.Valid([]byte(line)) {
					t.Errorf("line %d is not JSON: %q", i+1, line)
				}
			}
		})
	}
}

func TestCorruptedMiddleRecord(t *testing.T) {
	good := encoded(intent(addDays, "mem_1", 2))
	tests := []struct {
		name     string
		content  string
		wantLine int
	}{
		{"garbage", string(good) + "garbage\n" + string(good), 2},
		{"empty line", "\n" + string(good), 1},
		{"half record then more", string(good[:20]) + "\n" + string(good) + string(good), 1},
		{"garbage before a torn tail", string(good) + string(good) + "x\n" + string(good[:10]), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "c.journal")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, opt := range []Options{{}, {ReadOnly: true}} {
				j, err := Open(dir, "c", opt)
				if err == nil {
					j.Close()
					t.Fatalf("Open(%+v) accepted a corrupted journal", opt)
				}
				var ce *CorruptError
				if !errors.As(err, &ce) || ce.Line != tt.wantLine {
					t.Fatalf("Open(%+v) error %v, want a *CorruptError at line %d", opt, err, tt.wantLine)
				}
				if msg := err.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, fmt.Sprintf("line %d", tt.wantLine)) {
					t.Errorf("error %q does not name %s and line %d", msg, path, tt.wantLine)
				}
			}
			if b, _ := os.ReadFile(path); string(b) != tt.content {
				t.Errorf("Open changed a corrupted journal")
			}
		})
	}
}

func TestLockedBySecondOpen(t *testing.T) {
	dir := t.TempDir()
	j := openT(t, dir, "nov", Options{})

	_, err := Open(dir, "nov", Options{})
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second Open error %v, want *LockedError", err)
	}
	host, _ := os.Hostname()
	if le.PID != os.Getpid() || le.Host != host || le.Campaign != "nov" || time.Since(le.Started) > time.Minute {
		t.Errorf("LockedError = %+v, want pid %d host %s started just now", le, os.Getpid(), host)
	}
	want := fmt.Sprintf("campaign \"nov\" is in use by pid %d since %s", os.Getpid(), le.Started.UTC().Format(time.RFC3339))
	if got := err.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}

	// Another campaign in the same directory is not blocked.
	openT(t, dir, "dec", Options{})

	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	openT(t, dir, "nov", Options{})
	if _, err := os.Stat(filepath.Join(dir, "nov.lock")); err != nil {
		t.Errorf("lock file: %v", err)
	}
}

func TestStaleLockFileDoesNotBlock(t *testing.T) {
	dir := t.TempDir()
	lock := filepath.Join(dir, "nov.lock")
	stale := `{"pid":999999,"host":"gone","started":"2020-01-01T00:00:00Z","campaign":"nov"}` + "\n"
	if err := os.WriteFile(lock, []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	openT(t, dir, "nov", Options{})
	var info lockInfo
	b, _ := os.ReadFile(lock)
	if err := json.Unmarshal(b, &info); err != nil || info.PID != os.Getpid() {
		t.Errorf("lock file after Open = %q (%v), want our pid %d", b, err, os.Getpid())
	}
}

func TestLockedErrorMessage(t *testing.T) {
	started := time.Date(2026, 11, 3, 4, 5, 6, 0, time.UTC)
	tests := []struct {
		err  LockedError
		want string
	}{
		{LockedError{Campaign: "x", PID: 123, Started: started}, `campaign "x" is in use by pid 123 since 2026-11-03T04:05:06Z`},
		{LockedError{Campaign: "x", PID: 123, Started: started, Host: "other-host-name"},
			`campaign "x" is in use by pid 123 on other-host-name since 2026-11-03T04:05:06Z`},
		{LockedError{Campaign: "x", PID: 123}, `campaign "x" is in use by pid 123`},
		{LockedError{Campaign: "x", Path: "/s/x.lock"}, `campaign "x" is in use by another process (lock /s/x.lock)`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestReadOnlyBesideWriter(t *testing.T) {
	dir := t.TempDir()
	w := openT(t, dir, "nov", Options{SyncEvery: -1})
	i1, o1 := intent(addDays, "mem_1", 2), outcomeRec(addDays, "mem_1", 2, outcome.Unknown)
	appendT(t, w, false, i1, o1) // written, not fsynced: readers still see it

	ro := openT(t, dir, "nov", Options{ReadOnly: true})
	checkLookups(t, ro, []lookupCase{{addDays, "mem_1", &o1}, {addDays, "mem_2", nil}})
	if err := ro.Append(i1, true); err == nil {
		t.Errorf("Append on a read-only journal succeeded")
	}
	if err := ro.Sync(); err != nil {
		t.Errorf("Sync on a read-only journal: %v", err)
	}

	i2 := intent(addDays, "mem_2", 3)
	appendT(t, w, true, i2)
	if got, want := allRecords(t, ro), []Record{i1, o1, i2}; !reflect.DeepEqual(got, want) {
		t.Errorf("read-only Each\n got %+v\nwant %+v", got, want)
	}
}

func TestReadOnlyMissing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "absent")
	j := openT(t, dir, "nov", Options{ReadOnly: true})
	checkLookups(t, j, []lookupCase{{addDays, "mem_1", nil}})
	if j.Len() != 0 || len(allRecords(t, j)) != 0 {
		t.Errorf("missing journal is not empty")
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("read-only Open created %s", dir)
	}
}

func TestConcurrentDurableAppends(t *testing.T) {
	dir := t.TempDir()
	j := openT(t, dir, "nov", Options{SyncEvery: -1})
	const workers, each = 50, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("mem_%d_%d", w, i)
				if err := j.Append(intent(addDays, id, i+2), true); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st := j.Stats()
	if st.Appends != workers*each || st.Fsyncs >= st.Appends || st.Fsyncs == 0 {
		t.Errorf("Stats = %+v, want %d appends sharing fewer fsyncs", st, workers*each)
	}
	t.Logf("%d durable appends, %d fsyncs", st.Appends, st.Fsyncs)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}

	j = openT(t, dir, "nov", Options{})
	if got, want := j.Len(), workers*each; got != want {
		t.Fatalf("Len() after reopen = %d, want %d", got, want)
	}
	for w := range workers {
		for i := range each {
			want := intent(addDays, fmt.Sprintf("mem_%d_%d", w, i), i+2)
			checkLookups(t, j, []lookupCase{{addDays, want.ID, &want}})
		}
	}
}

func TestConcurrentLookupsAndAppends(t *testing.T) {
	dir := t.TempDir()
	j := openT(t, dir, "nov", Options{SyncEvery: time.Millisecond})
	const workers, each = 8, 200
	for i := range each { // records from an earlier run
		appendT(t, j, false, outcomeRec(addDays, fmt.Sprintf("mem_old_%d", i), i+2, outcome.Applied))
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				old := outcomeRec(addDays, fmt.Sprintf("mem_old_%d", i), i+2, outcome.Applied)
				if got, ok, err := j.Lookup(addDays, old.ID); err != nil || !ok || !reflect.DeepEqual(got, old) {
					t.Errorf("Lookup(%s) = %+v, %v, %v", old.ID, got, ok, err)
					return
				}
				r := intent(metadata, fmt.Sprintf("mem_%d_%d", w, i), i+2)
				if err := j.Append(r, i%2 == 0); err != nil {
					t.Error(err)
					return
				}
				if got, ok, err := j.Lookup(metadata, r.ID); err != nil || !ok || !reflect.DeepEqual(got, r) {
					t.Errorf("Lookup(%s) after Append = %+v, %v, %v", r.ID, got, ok, err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got, want := j.Len(), each+workers*each; got != want {
		t.Errorf("Len() = %d, want %d", got, want)
	}
}

// TestKill9 kills a process that is appending, then checks that every
// record whose Append returned is in the journal and that the killed
// process's lock does not block.
func TestKill9(t *testing.T) {
	if dir := os.Getenv("JOURNAL_KILL_CHILD"); dir != "" {
		appendUntilKilled(dir)
		return
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9$")
	cmd.Env = append(os.Environ(), "JOURNAL_KILL_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := -1
	sc := bufio.NewScanner(out)
	for acked < 2000 && sc.Scan() {
		if n, err := strconv.Atoi(sc.Text()); err == nil {
			acked = n
		}
	}
	cmd.Process.Kill() // SIGKILL
	cmd.Wait()
	if acked < 0 {
		t.Fatal("the child acknowledged no append")
	}

	j := openT(t, dir, "nov", Options{})
	for i := 0; i <= acked; i++ {
		if _, ok, err := j.Lookup(addDays, fmt.Sprintf("mem_%d", i)); err != nil || !ok {
			t.Fatalf("record %d (of %d acknowledged) lost: %v", i, acked, err)
		}
	}
	t.Logf("%d records acknowledged, %d in the journal, %d torn bytes dropped", acked+1, j.Len(), j.Stats().TornBytes)
}

// appendUntilKilled appends records and prints the number of each one
// whose Append returned.
func appendUntilKilled(dir string) {
	j, err := Open(dir, "nov", Options{SyncEvery: -1})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		r := intent(addDays, fmt.Sprintf("mem_%d", i), i+2)
		r.Err = strings.Repeat("x", i%5000) // long records tear more often
		if err := j.Append(r, false); err != nil {
			fmt.Println("append:", err)
			os.Exit(1)
		}
		fmt.Println(i)
	}
}

func TestBackgroundSync(t *testing.T) {
	j := openT(t, t.TempDir(), "nov", Options{SyncEvery: 5 * time.Millisecond})
	appendT(t, j, false, intent(addDays, "mem_1", 2))
	deadline := time.Now().Add(5 * time.Second)
	for j.Stats().Fsyncs == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no background fsync")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestClosed(t *testing.T) {
	j := openT(t, t.TempDir(), "nov", Options{})
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := j.Append(intent(addDays, "mem_1", 2), false); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close: %v, want ErrClosed", err)
	}
	if _, _, err := j.Lookup(addDays, "mem_1"); !errors.Is(err, ErrClosed) {
		t.Errorf("Lookup after Close: %v, want ErrClosed", err)
	}
}

func TestLookupDetectsHashCollision(t *testing.T) {
	j := openT(t, t.TempDir(), "nov", Options{})
	appendT(t, j, false, intent(addDays, "mem_1", 2))
	// Pretend mem_2 hashes like mem_1.
	v, _ := j.index.get(hashKey(addDays, "mem_1"))
	j.index.set(hashKey(addDays, "mem_2"), v, true)
	if _, _, err := j.Lookup(addDays, "mem_2"); err == nil || !strings.Contains(err.Error(), "collision") {
		t.Errorf("Lookup of a colliding key: %v, want a collision error", err)
	}
}

// TestLookupOrders checks the read-ahead in sequential, reverse and
// scattered lookups, with records larger than its window among them.
func TestLookupOrders(t *testing.T) {
	j := openT(t, t.TempDir(), "nov", Options{SyncEvery: -1})
	const n = 3000
	want := make([]Record, n)
	for i := range n {
		want[i] = outcomeRec(addDays, fmt.Sprintf("mem_%d", i), i+2, outcome.Failed)
		if i%500 == 7 {
			want[i].Err = strings.Repeat("e", 3*maxWindow+i)
		}
		appendT(t, j, false, intent(addDays, want[i].ID, i+2))
	}
	for i := range n {
		appendT(t, j, false, want[(i*7919)%n])
	}
	orders := map[string]func(int) int{
		"sequential": func(i int) int { return i },
		"reverse":    func(i int) int { return n - 1 - i },
		"scattered":  func(i int) int { return (i * 104729) % n },
	}
	for name, at := range orders {
		t.Run(name, func(t *testing.T) {
			for i := range n {
				r := want[at(i)]
				checkLookups(t, j, []lookupCase{{addDays, r.ID, &r}})
			}
		})
	}
}

func TestCampaignNames(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string // "" = accepted
	}{
		{"nov-outage", ""},
		{"nov-outage.simulated", ""},
		{"A_b.9-z", ""},
		{"", "empty"},
		{"a/b", "path separator"},
		{`a\b`, "path separator"},
		{"../x", "path separator"},
		{".hidden", "starts with a dot"},
		{"..", "starts with a dot"},
		{"a b", "contains ' '"},
		{"café", "contains 'é'"},
		{"a\x00b", "contains"},
		{strings.Repeat("a", 201), "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCampaign(tt.name)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("CheckCampaign(%q) = %v, want nil", tt.name, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("CheckCampaign(%q) = %v, want an error containing %q", tt.name, err, tt.wantErr)
			}
			dir := t.TempDir()
			if _, err := Open(dir, tt.name, Options{}); err == nil {
				t.Errorf("Open accepted campaign %q", tt.name)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("Open with a bad name created %v", entries)
			}
		})
	}
}

func TestFileModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", ".bulk")
	j := openT(t, dir, "nov", Options{})
	appendT(t, j, true, intent(addDays, "mem_1", 2))
	tests := []struct {
		path string
		want os.FileMode
	}{
		{filepath.Dir(dir), os.ModeDir | 0o700},
		{dir, os.ModeDir | 0o700},
		{filepath.Join(dir, "nov.journal"), 0o600},
		{filepath.Join(dir, "nov.lock"), 0o600},
	}
	for _, tt := range tests {
		fi, err := os.Stat(tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode(); got != tt.want {
			t.Errorf("mode of %s = %v, want %v", tt.path, got, tt.want)
		}
	}
	if got := j.Path(); got != filepath.Join(dir, "nov.journal") {
		t.Errorf("Path() = %s", got)
	}
}

func TestEachStopsOnError(t *testing.T) {
	j := openT(t, t.TempDir(), "nov", Options{})
	appendT(t, j, false, intent(addDays, "mem_1", 2), intent(addDays, "mem_2", 3))
	stop := errors.New("stop")
	calls := 0
	err := j.Each(func(Record) error { calls++; return stop })
	if err != stop || calls != 1 {
		t.Errorf("Each = %v after %d calls, want stop after 1", err, calls)
	}
}

func BenchmarkAppendDurable(b *testing.B) {
	j, err := Open(b.TempDir(), "bench", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close()
	var next atomic.Int64
	b.SetParallelism(8) // 8 × GOMAXPROCS appenders
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := next.Add(1)
			r := intent(addDays, "mem_"+strconv.FormatInt(i, 10), int(i))
			if err := j.Append(r, true); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	st := j.Stats()
	b.ReportMetric(float64(st.Appends)/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(st.Fsyncs)/float64(st.Appends), "fsyncs/record")
}

// bigDir holds the generated journal of BenchmarkOpen1M, made once per
// test binary.
var (
	bigDir  string
	bigOnce sync.Once
	bigErr  error
)

const bigRows = 1_000_000

// bigID is a realistic membership id: "mem_" and 16 characters.
func bigID(i int) string {
	b := []byte("mem_0123456789abcdef")
	h := uint64(i) * 0x9E3779B97F4A7C15
	for k := len(b) - 1; k >= 4; k-- {
		b[k] = "0123456789abcdef"[h&15]
		h >>= 4
	}
	return string(b)
}

// writeBigJournal writes what a finished campaign of bigRows add-free-days
// rows looks like: an intent and an outcome per row, with 8 rows in flight
// so outcomes land out of order.
func writeBigJournal(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(3, 4))
	hash := strings.Repeat("9f86d081884c7d659a2feaa0c55ad015", 2)
	lw := newLineWriter()
	put := func(r Record) { w.WriteString(lw.line(r)) }
	put(Record{Type: TypeRun, At: 1767225600000, Run: runID, File: "big.csv", SHA256: hash, PID: 4242,
		API: "current", Version: "2026-11-17"})
	const inFlight = 8
	var intents [inFlight]Record
	for base := 0; base < bigRows; base += inFlight {
		for k := range inFlight {
			intents[k] = realIntent(runID, hash, bigID(base+k), base+k+2)
			put(intents[k])
		}
		for _, k := range rng.Perm(inFlight) {
			put(realOutcome(intents[k], outcome.Applied, false))
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// BenchmarkOpen1M measures checking every row of a finished campaign of
// 1M add-free-days rows: Open, then one Lookup per row in input order.
func BenchmarkOpen1M(b *testing.B) { benchOpen1M(b) }

// BenchmarkOpen1MEncodingJSON is BenchmarkOpen1M with every line read by
// encoding/json.
func BenchmarkOpen1MEncodingJSON(b *testing.B) {
	defer func() { fastLines = true }()
	fastLines = false
	benchOpen1M(b)
}

func benchOpen1M(b *testing.B) {
	bigOnce.Do(func() {
		if bigDir, bigErr = os.MkdirTemp("", "journal-bench-"); bigErr == nil {
			bigErr = writeBigJournal(filepath.Join(bigDir, "big.journal"))
		}
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	fi, err := os.Stat(filepath.Join(bigDir, "big.journal"))
	if err != nil {
		b.Fatal(err)
	}
	debug.FreeOSMemory()
	resetPeakRSS()
	var peakHeap atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // sample the heap while the benchmark runs
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peakHeap.Load() {
				peakHeap.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	var opening, looking time.Duration
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		j, err := Open(bigDir, "big", Options{})
		if err != nil {
			b.Fatal(err)
		}
		opened := time.Now()
		opening += opened.Sub(start)
		if j.Len() != bigRows {
			b.Fatalf("Len() = %d, want %d", j.Len(), bigRows)
		}
		for i := range bigRows {
			r, ok, err := j.Lookup(addDays, bigID(i))
			if err != nil || !ok || r.Status != outcome.Applied || r.Line != i+2 || r.Input == "" {
				b.Fatalf("Lookup(%s) = %+v, %v, %v", bigID(i), r, ok, err)
			}
		}
		looking += time.Since(opened)
		if err := j.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	close(stop)
	<-sampled
	b.ReportMetric(float64(opening.Milliseconds())/float64(b.N), "open-ms")
	b.ReportMetric(float64(looking.Nanoseconds())/float64(b.N*bigRows), "lookup-ns/key")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms")
	b.ReportMetric(float64(peakHeap.Load())/(1<<20), "peak-heap-MiB")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "peak-RSS-MiB")
	}
	b.ReportMetric(float64(fi.Size())/(1<<20), "journal-MiB")
}

// cpuTime returns the CPU time this process used, all threads included.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// resetPeakRSS resets the kernel's high-water mark of this process's RSS
// (Linux; elsewhere it does nothing).
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS returns the process's peak RSS in bytes since resetPeakRSS, or 0.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func TestOpenedKeysOnly(t *testing.T) {
	dir := t.TempDir()
	j, err := Open(dir, "c", Options{})
	if err != nil {
		t.Fatal(err)
	}
	old := Record{Type: TypeIntent, Run: "r1", Action: "add_free_days", ID: "mem_old", Days: 1}
	if err := j.Append(old, true); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j, err = Open(dir, "c", Options{OpenedKeysOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	later := old
	later.Type, later.Status = TypeOutcome, outcome.Applied
	fresh := Record{Type: TypeIntent, Run: "r2", Action: "add_free_days", ID: "mem_new", Days: 1}
	for _, r := range []Record{later, fresh} {
		if err := j.Append(r, false); err != nil {
			t.Fatal(err)
		}
	}
	if got, ok, err := j.Lookup("add_free_days", "mem_old"); err != nil || !ok || got.Type != TypeOutcome {
		t.Errorf("key held at Open: got %+v %v %v, want its latest record (the outcome)", got, ok, err)
	}
	if _, ok, _ := j.Lookup("add_free_days", "mem_new"); ok {
		t.Error("a key first appended after Open was indexed")
	}
}

// BenchmarkJournalBytesPerRow appends what a run of an add-free-days
// campaign appends, through Append: a run record, then an intent and an
// outcome per row, rows spread over the lines of a 1,000,000-row input.
// It reports the journal's bytes per row.
func BenchmarkJournalBytesPerRow(b *testing.B) {
	const rows = 10000
	hash := strings.Repeat("9f86d081884c7d659a2feaa0c55ad015", 2)
	for b.Loop() {
		dir := b.TempDir()
		j, err := Open(dir, "nov", Options{SyncEvery: -1})
		if err != nil {
			b.Fatal(err)
		}
		run := Record{Type: TypeRun, Run: runID, File: "nov.csv", SHA256: hash, PID: 4242, API: "current", Version: "2026-11-17"}
		if err := j.Append(run, false); err != nil {
			b.Fatal(err)
		}
		start := j.size
		for i := range rows {
			in := realIntent(runID, hash, bigID(i), 1_000_001-i*97)
			in.At = time.Now().UnixMilli()
			if err := j.Append(in, false); err != nil {
				b.Fatal(err)
			}
			out := realOutcome(in, outcome.Applied, false)
			out.At = time.Now().UnixMilli()
			if err := j.Append(out, false); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(j.size-start)/rows, "B/row")
		j.Close()
	}
}
