package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"bulk/internal/client"
	"bulk/internal/input"
	"bulk/internal/journal"
	"bulk/internal/outcome"
	"bulk/internal/report"
	"bulk/internal/whopsim"
)

const simKey = "sim_key_for_tests"

type sliceRows struct {
	rows []input.Row
	i    int
}

func (s *sliceRows) Next() (input.Row, error) {
	if s.i == len(s.rows) {
		return input.Row{}, io.EOF
	}
	s.i++
	return s.rows[s.i-1], nil
}

// harness is a simulator on loopback, a client for it and a campaign state
// directory; run applies rows through a fresh engine, like one bulk run.
type harness struct {
	t     *testing.T
	sim   *whopsim.Server
	url   string // the API's base URL
	api   client.API
	state string
	opts  Options
	open  func(*journal.Journal) // hears of the journal each run opens
}

// newHarness serves the simulator of cfg.API (the Current API when empty)
// and connects a client of the same dialect to it.
func newHarness(t *testing.T, cfg whopsim.Config) *harness {
	t.Helper()
	cfg.Key = simKey
	if cfg.Limit == 0 {
		cfg.NoLimit = true // most tests are about outcomes, not pace
	}
	sim := whopsim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	h := &harness{t: t, sim: sim, url: srv.URL + "/api/v1", state: t.TempDir()}
	if cfg.API == "v2" {
		h.url = srv.URL + "/api/v2"
	}
	h.api = h.connect(cfg.API, simKey)
	h.opts = Options{
		Campaign: "test", RunID: "r1", InputSHA256: "input-1",
		Pace: Pace{Unlimited: true}, SettleDelay: 20 * time.Millisecond, QuietPeriod: 100 * time.Millisecond,
		BaseBackoff: time.Millisecond,
	}
	return h
}

func (h *harness) connect(api, key string) client.API {
	h.t.Helper()
	c, err := client.New(client.Options{API: api, BaseURL: h.url, Key: key, Timeout: 2 * time.Second})
	if err != nil {
		h.t.Fatal(err)
	}
	return c
}

// apis runs a test on each dialect.
func apis(t *testing.T, test func(t *testing.T, api string)) {
	for _, api := range []string{"current", "v2"} {
		t.Run(api, func(t *testing.T) { test(t, api) })
	}
}

func (h *harness) run(rows []input.Row) ([]report.Row, error) {
	return h.runCtx(context.Background(), rows)
}

func (h *harness) runCtx(ctx context.Context, rows []input.Row) ([]report.Row, error) {
	h.t.Helper()
	// No background fsync: only what the engine asks to be durable is.
	j, err := journal.Open(h.state, h.opts.Campaign, journal.Options{OpenedKeysOnly: true, SyncEvery: -1})
	if err != nil {
		h.t.Fatal(err)
	}
	defer j.Close()
	if h.open != nil {
		h.open(j)
	}
	var out []report.Row
	err = New(h.api, j, h.opts).Run(ctx, &sliceRows{rows: rows}, func(r report.Row) error {
		out = append(out, r)
		return nil
	})
	if len(out) != len(rows) {
		h.t.Fatalf("report has %d rows for %d input rows", len(out), len(rows))
	}
	for i, r := range out {
		if r.Line != rows[i].Line {
			h.t.Fatalf("report row %d is line %d, want line %d (input order)", i, r.Line, rows[i].Line)
		}
	}
	return out, err
}

func addRow(line int, id string, n int) input.Row {
	return input.Row{Line: line, MembershipID: id, Action: input.AddFreeDays, Days: n}
}

func metaRow(line int, id, obj string) input.Row {
	return input.Row{Line: line, MembershipID: id, Action: input.UpdateMetadata, Metadata: json.RawMessage(obj)}
}

func i64(v int64) *int64 { return &v }

// mixed puts n memberships in the simulator, alternately renewing and
// one-time, and returns rows for them: free days for most, metadata for
// every third.
func mixed(sim *whopsim.Server, n int) []input.Row {
	var rows []input.Row
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("mem_m%04d", i)
		m := whopsim.Membership{ID: id, Status: "active", Metadata: map[string]any{"keep": "x"}}
		if i%2 == 0 {
			m.Renews, m.PeriodDays = true, 30
			m.PeriodStart, m.PeriodEnd = i64(1_797_400_000+int64(i)), i64(1_800_000_000+int64(i))
		} else {
			m.PeriodEnd = i64(1_790_000_000 + int64(i))
		}
		sim.Put(m)
		if i%3 == 2 {
			rows = append(rows, metaRow(i+2, id, `{"comp_campaign":"nov-outage"}`))
		} else {
			rows = append(rows, addRow(i+2, id, 1+i%10))
		}
	}
	return rows
}

// checkAgainstLedger asserts that the server extended every applied
// add-free-days row exactly once and no other row at all, that every
// applied metadata row reached the server (sending metadata again is
// harmless, so it may have arrived more than once), and that the report's
// dates are the server's.
func checkAgainstLedger(t *testing.T, sim *whopsim.Server, rows []input.Row, out []report.Row) {
	t.Helper()
	count := map[string]int{}
	for _, e := range sim.Ledger() {
		count[e.Op+" "+e.ID]++
	}
	for i, r := range out {
		key := r.Action + " " + r.MembershipID
		isAdd := r.Action == string(input.AddFreeDays)
		if r.Status == outcome.Applied || r.Status == outcome.Skipped {
			if (isAdd && count[key] != 1) || count[key] < 1 {
				t.Errorf("line %d %s: server applied it %d times, want once", r.Line, key, count[key])
			}
			m, _ := sim.Get(r.MembershipID)
			if !eq(m.PeriodEnd, r.PeriodEnd) || r.MembershipStatus != m.Status {
				t.Errorf("line %d: report period end %v (%s), server has %v (%s)", r.Line,
					deref(r.PeriodEnd), r.MembershipStatus, deref(m.PeriodEnd), m.Status)
			}
		} else if count[key] != 0 && (isAdd || r.Status != outcome.Unknown) {
			t.Errorf("line %d %s is %s but the server applied it %d times", r.Line, key, r.Status, count[key])
		}
		if rows[i].Action == input.AddFreeDays && r.Status == outcome.Applied {
			prev, now := r.PreviousPeriodEnd, r.PeriodEnd
			if prev == nil || now == nil || *now-*prev != int64(rows[i].Days)*86400 {
				t.Errorf("line %d: previous %v, now %v: not %d days apart", r.Line, deref(prev), deref(now), rows[i].Days)
			}
		}
	}
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

func statuses(out []report.Row) map[outcome.Status]int {
	m := map[outcome.Status]int{}
	for _, r := range out {
		m[r.Status]++
	}
	return m
}

func TestRunAppliesBothOperations(t *testing.T) {
	apis(t, func(t *testing.T, api string) {
		h := newHarness(t, whopsim.Config{API: api})
		rows := mixed(h.sim, 60)
		out, err := h.run(rows)
		if err != nil {
			t.Fatal(err)
		}
		if got := statuses(out); got[outcome.Applied] != 60 {
			t.Fatalf("statuses %v, want 60 applied", got)
		}
		checkAgainstLedger(t, h.sim, rows, out)
		for _, r := range rows {
			m, _ := h.sim.Get(r.MembershipID)
			if r.Action == input.UpdateMetadata && (m.Metadata["keep"] != "x" || m.Metadata["comp_campaign"] != "nov-outage") {
				t.Errorf("%s metadata %v: want the row's key merged in, the seeded key kept", r.MembershipID, m.Metadata)
			}
		}
	})
}

// Under --metadata replace the metadata becomes exactly the row's object:
// on the Current API, whose update merges, by clearing it first.
func TestReplaceMetadata(t *testing.T) {
	apis(t, func(t *testing.T, api string) {
		h := newHarness(t, whopsim.Config{API: api})
		rows := mixed(h.sim, 9)
		h.opts.ReplaceMetadata = true
		out, err := h.run(rows)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstLedger(t, h.sim, rows, out)
		for i, r := range rows {
			m, _ := h.sim.Get(r.MembershipID)
			if r.Action != input.UpdateMetadata {
				continue
			}
			if len(m.Metadata) != 1 || m.Metadata["comp_campaign"] != "nov-outage" {
				t.Errorf("%s metadata %v: want exactly the row's object", r.MembershipID, m.Metadata)
			}
			if !strings.Contains(out[i].Warning, "drops keys: keep") {
				t.Errorf("line %d warning %q: want the dropped key named", out[i].Line, out[i].Warning)
			}
		}
	})
}

// A merge warns about the keys whose value it changes.
func TestMergeWarnsOfChangedKeys(t *testing.T) {
	apis(t, func(t *testing.T, api string) {
		h := newHarness(t, whopsim.Config{API: api})
		h.sim.Put(whopsim.Membership{ID: "mem_w", Status: "canceled", Metadata: map[string]any{"tier": "gold", "keep": 1}})
		out, err := h.run([]input.Row{metaRow(2, "mem_w", `{"tier":"silver","new":true}`)})
		if err != nil {
			t.Fatal(err)
		}
		m, _ := h.sim.Get("mem_w")
		if out[0].Status != outcome.Applied || m.Metadata["tier"] != "silver" || m.Metadata["keep"] != 1.0 && m.Metadata["keep"] != 1 {
			t.Fatalf("row %+v, server metadata %v", out[0], m.Metadata)
		}
		for _, want := range []string{"membership is canceled", "change value: tier"} {
			if !strings.Contains(out[0].Warning, want) {
				t.Errorf("warning %q lacks %q", out[0].Warning, want)
			}
		}
		if strings.Contains(out[0].Warning, "new") {
			t.Errorf("warning %q names a key that is only added", out[0].Warning)
		}
	})
}

func TestRunFailsBadRowsOnly(t *testing.T) {
	h := newHarness(t, whopsim.Config{})
	rows := mixed(h.sim, 10)
	h.sim.Put(whopsim.Membership{ID: "mem_lifetime", Status: "active"})
	rows = append(rows, addRow(20, "mem_nosuch", 7), addRow(21, "mem_lifetime", 7), metaRow(22, "mem_nosuch", `{"a":1}`))
	out, err := h.run(rows)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]int{20: 404, 21: 422, 22: 404}
	for _, r := range out {
		code, bad := want[r.Line]
		switch {
		case bad && (r.Status != outcome.Failed || r.HTTPStatus != code || r.Error == ""):
			t.Errorf("line %d: %s %d %q, want failed %d with the API's message", r.Line, r.Status, r.HTTPStatus, r.Error, code)
		case !bad && r.Status != outcome.Applied:
			t.Errorf("line %d: %s %q, want applied", r.Line, r.Status, r.Error)
		}
	}
	checkAgainstLedger(t, h.sim, rows, out)
}

func TestBadKeyStopsTheRun(t *testing.T) {
	h := newHarness(t, whopsim.Config{})
	rows := mixed(h.sim, 100)
	h.api = h.connect("current", "wrong")
	h.opts.Concurrency = 4
	out, err := h.run(rows)
	var fe *FatalError
	if !errors.As(err, &fe) {
		t.Fatalf("Run error %v, want *FatalError", err)
	}
	if n := len(h.sim.Requests()); n > h.opts.Concurrency {
		t.Errorf("the server saw %d requests after a 401, want at most %d", n, h.opts.Concurrency)
	}
	if got := statuses(out); got[outcome.Applied] != 0 || got[outcome.Pending] < 90 {
		t.Errorf("statuses %v, want nothing applied and the rest pending", got)
	}
}

func TestForced429PausesEveryWorker(t *testing.T) {
	h := newHarness(t, whopsim.Config{API: "v2", RetryAfter: true})
	h.opts.Pace = Pace{Rate: 200, Limit: 1000, Window: time.Second}
	rows := mixed(h.sim, 120)
	var once sync.Once
	h.opts.Progress = func(done int) {
		if done == 30 {
			once.Do(func() { h.sim.StartCooldown(time.Second) }) // answered with Retry-After: 1
		}
	}
	// A pause that does not hold would keep the workers refused for
	// minutes: the run gets 30 s, and a stop then fails the test.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := h.runCtx(ctx, rows)
	if err != nil {
		t.Fatalf("%v (a run stopped at its deadline: the pause did not hold)", err)
	}
	if got := statuses(out); got[outcome.Applied] != 120 {
		t.Fatalf("statuses %v, want 120 applied", got)
	}
	checkAgainstLedger(t, h.sim, rows, out)
	reqs := h.sim.Requests()
	first := -1
	for i, r := range reqs {
		if r.Status == 429 {
			first = i
			break
		}
	}
	if first < 0 {
		t.Fatal("no 429 was seen; the test did not test anything")
	}
	// Every worker paused for the Retry-After second: once the 429 has
	// had time to reach the client, nothing arrives until the pause ends
	// (at 200 requests a second, a worker that did not pause would).
	t0 := reqs[first].At
	for _, r := range reqs[first:] {
		if d := r.At.Sub(t0); d > 300*time.Millisecond && d < 900*time.Millisecond {
			t.Errorf("a request arrived %v after the first 429, during the pause", d)
		}
	}
}

func TestDefaultPaceNeverExceedsTheLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 15 s at the API's real pace")
	}
	t.Parallel()
	h := newHarness(t, whopsim.Config{API: "v2", Limit: 100}) // the real 100 per 10 s limit
	h.opts.Pace = Pace{}
	var rows []input.Row
	for i := 0; i < 75; i++ {
		id := fmt.Sprintf("mem_p%04d", i)
		h.sim.Put(whopsim.Membership{ID: id, Status: "active"})
		rows = append(rows, metaRow(i+2, id, `{"a":1}`))
	}
	out, err := h.run(rows)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(out); got[outcome.Applied] != 75 {
		t.Fatalf("statuses %v", got)
	}
	if n := h.sim.MaxInWindow(10 * time.Second); n > 100 {
		t.Errorf("%d requests in one 10 s window", n)
	}
	if n := h.sim.Count429(); n != 0 {
		t.Errorf("%d 429s at the default pace", n)
	}
}

// Lost answers are settled by reading back, whether the server honours
// Idempotency-Keys or ignores them.
func TestDroppedConnectionsAreSettledNotResent(t *testing.T) {
	for _, cfg := range []whopsim.Config{
		{API: "current"},
		{API: "current", IgnoreIdempotency: true},
		{API: "v2"},
	} {
		t.Run(fmt.Sprintf("%s ignore keys %v", cfg.API, cfg.IgnoreIdempotency), func(t *testing.T) {
			cfg.DropRate, cfg.FailRate, cfg.FailAfterApplyRate, cfg.Seed = 0.3, 0.1, 0.1, 3
			h := newHarness(t, cfg)
			rows := mixed(h.sim, 80)
			out, err := h.run(rows)
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstLedger(t, h.sim, rows, out)
			if got := statuses(out); got[outcome.Applied] < 70 {
				t.Errorf("statuses %v: want nearly everything applied after settling", got)
			}
		})
	}
}

// lostAnswers wraps an API: its first lose Extends (all, when lose is
// negative) are answered "outcome unknown". When apply is false the server
// never got them; after is called in either case (to renew the membership
// in between, say).
type lostAnswers struct {
	client.API
	apply bool
	lose  int
	after func(id string)
}

func (l *lostAnswers) Extend(ctx context.Context, id string, days int, key string) (*client.Membership, error) {
	if l.lose == 0 {
		return l.API.Extend(ctx, id, days, key)
	}
	l.lose--
	if l.apply {
		l.API.Extend(ctx, id, days, key)
	}
	l.after(id)
	return nil, &client.Error{Kind: client.Unknown, Status: 504, Message: "gateway timeout"}
}

// A renewal between the read before and the read back moves the period's
// start, and its end by a whole period: with free days of exactly one
// period, the end alone would look like the days were added. Both dates
// are compared, so the row is unknown, never applied, and nothing is sent
// again.
func TestRenewalIsNotTakenForTheFreeDays(t *testing.T) {
	apis(t, func(t *testing.T, api string) {
		for _, applied := range []bool{false, true} {
			h := newHarness(t, whopsim.Config{API: api})
			h.sim.Put(whopsim.Membership{ID: "mem_r", Status: "active", Renews: true, PeriodDays: 30,
				PeriodStart: i64(1_797_400_000), PeriodEnd: i64(1_800_000_000)})
			h.api = &lostAnswers{API: h.api, apply: applied, lose: -1, after: func(id string) { h.sim.Renew(id) }}
			out, err := h.run([]input.Row{addRow(2, "mem_r", 30)})
			if err != nil {
				t.Fatal(err)
			}
			if out[0].Status != outcome.Unknown {
				t.Errorf("applied=%v: status %s (%s), want unknown", applied, out[0].Status, out[0].Error)
			}
			extends := 0
			for _, e := range h.sim.Ledger() {
				if e.Op == whopsim.OpAddFreeDays {
					extends++
				}
			}
			if want := map[bool]int{false: 0, true: 1}[applied]; extends != want {
				t.Errorf("applied=%v: the server extended it %d times, want %d", applied, extends, want)
			}
		}
	})
}

// Without a renewal, the read back tells: the end moved by the days
// (applied, not sent again) or did not move (sent again, with the same
// Idempotency-Key).
func TestSettleReadsBack(t *testing.T) {
	apis(t, func(t *testing.T, api string) {
		for _, applied := range []bool{false, true} {
			h := newHarness(t, whopsim.Config{API: api})
			h.sim.Put(whopsim.Membership{ID: "mem_s", Status: "active", Renews: true, PeriodDays: 30,
				PeriodStart: i64(1_797_400_000), PeriodEnd: i64(1_800_000_000)})
			h.api = &lostAnswers{API: h.api, apply: applied, lose: 1, after: func(string) {}}
			out, err := h.run([]input.Row{addRow(2, "mem_s", 7)})
			if err != nil {
				t.Fatal(err)
			}
			m, _ := h.sim.Get("mem_s")
			if out[0].Status != outcome.Applied || *m.PeriodEnd != 1_800_000_000+7*86400 {
				t.Errorf("applied=%v: status %s (%s), period end %d; want applied, once", applied, out[0].Status, out[0].Error, *m.PeriodEnd)
			}
		}
	})
}

// A dropped answer is settled by reading back: the days are there, so the
// row is applied, once.
func TestDroppedAnswerIsFoundApplied(t *testing.T) {
	h := newHarness(t, whopsim.Config{DropRate: 1})
	h.sim.Put(whopsim.Membership{ID: "mem_a", Status: "active", PeriodEnd: i64(1_800_000_000)})
	h.opts.Retries = 1
	out, err := h.run([]input.Row{addRow(2, "mem_a", 7)})
	if err != nil || out[0].Status != outcome.Applied || len(h.sim.Ledger()) != 1 {
		t.Fatalf("got %+v, %v, ledger %d", out[0], err, len(h.sim.Ledger()))
	}
}

// unreadable fails every read after the first.
type unreadable struct {
	client.API
	reads *int
}

func (u unreadable) Get(ctx context.Context, id string) (*client.Membership, error) {
	if *u.reads++; *u.reads > 1 {
		return nil, &client.Error{Kind: client.Unknown, Status: 503, Message: "unavailable"}
	}
	return u.API.Get(ctx, id)
}

// A dropped answer whose membership cannot be read back stays unknown,
// and is not sent again.
func TestUnknownStaysUnknownWhenMembershipCannotBeRead(t *testing.T) {
	h := newHarness(t, whopsim.Config{DropRate: 1})
	h.sim.Put(whopsim.Membership{ID: "mem_a", Status: "active", PeriodEnd: i64(1_800_000_000)})
	h.opts.Retries = 1
	h.api = unreadable{API: h.api, reads: new(int)}
	out, err := h.run([]input.Row{addRow(2, "mem_a", 7)})
	if err != nil || out[0].Status != outcome.Unknown || len(h.sim.Ledger()) != 1 {
		t.Fatalf("got %+v, %v, ledger %d; want unknown, extended once", out[0], err, len(h.sim.Ledger()))
	}
}

// An intent with no outcome (a crash after the request left) is settled
// by reading back before anything is sent: the days are there, so the row
// is applied and nothing is sent again.
func TestIntentWithoutOutcomeIsReadBack(t *testing.T) {
	h := newHarness(t, whopsim.Config{})
	h.sim.Put(whopsim.Membership{ID: "mem_c", Status: "active", PeriodEnd: i64(1_800_000_000)})
	row := addRow(2, "mem_c", 7)
	before, err := h.api.Get(context.Background(), "mem_c")
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(h.state, h.opts.Campaign, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := New(h.api, j, h.opts)
	intent := e.intent(row, before, 1)
	intent.At = time.Now().Add(-time.Hour).UnixMilli()
	if err := j.Append(intent, true); err != nil {
		t.Fatal(err)
	}
	j.Close()
	if _, err := h.api.Extend(context.Background(), "mem_c", 7, e.key(row)); err != nil { // the request that left
		t.Fatal(err)
	}
	out, err := h.run([]input.Row{row})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(h.sim.Ledger()); out[0].Status != outcome.Applied || n != 1 {
		t.Errorf("status %s (%s), %d extends; want applied, 1", out[0].Status, out[0].Error, n)
	}
}

// always429 refuses every metadata update, asking for a 1 ms wait.
type always429 struct {
	client.API
	calls *atomic.Int64
}

func (a always429) UpdateMetadata(context.Context, string, json.RawMessage, string) (*client.Membership, error) {
	a.calls.Add(1)
	return nil, &client.Error{Kind: client.RateLimited, Status: 429, RetryAfter: time.Millisecond, Message: "Try again later."}
}

// A metadata row refused with 429 again and again gives up after a bound,
// and does not hold the run for ever.
func TestMetadata429sAreBounded(t *testing.T) {
	h := newHarness(t, whopsim.Config{})
	h.sim.Put(whopsim.Membership{ID: "mem_q", Status: "active"})
	calls := new(atomic.Int64)
	h.api = always429{API: h.api, calls: calls}
	h.opts.Pace = Pace{Rate: 1000, Limit: 1_000_000, Window: time.Second} // each 429 halves it: still quick
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := h.runCtx(ctx, []input.Row{metaRow(2, "mem_q", `{"a":"b"}`)})
	if err != nil {
		t.Fatalf("%v (the run did not end by itself)", err)
	}
	if out[0].Status != outcome.Failed || calls.Load() > maxLimited+1 {
		t.Errorf("status %s after %d updates; want failed after at most %d", out[0].Status, calls.Load(), maxLimited+1)
	}
}

func TestInterruptReportsPendingAndResumes(t *testing.T) {
	h := newHarness(t, whopsim.Config{Latency: 5 * time.Millisecond})
	h.opts.Concurrency = 2
	rows := mixed(h.sim, 60)
	ctx, cancel := context.WithCancel(context.Background())
	h.opts.Progress = func(done int) {
		if done == 10 {
			cancel()
		}
	}
	out, err := h.runCtx(ctx, rows)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Run error %v, want ErrInterrupted", err)
	}
	st := statuses(out)
	if st[outcome.Pending] == 0 || st[outcome.Applied] < 10 {
		t.Fatalf("statuses after interrupt %v", st)
	}
	h.opts.Progress, h.opts.RunID = nil, "r2"
	out, err = h.run(rows)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(out); got[outcome.Applied] != 60 {
		t.Fatalf("statuses after resume %v, want all 60 applied", got)
	}
	checkAgainstLedger(t, h.sim, rows, out)
}

func TestSecondFileSkipsWhatTheCampaignDid(t *testing.T) {
	h := newHarness(t, whopsim.Config{})
	rows := mixed(h.sim, 9)
	if _, err := h.run(rows); err != nil {
		t.Fatal(err)
	}
	h.sim.Put(whopsim.Membership{ID: "mem_new", Status: "active", PeriodEnd: i64(1_800_000_000)})
	second := []input.Row{
		addRow(2, rows[0].MembershipID, 30),                        // extended already: skipped
		addRow(3, "mem_new", 7),                                    // new: applied
		metaRow(4, rows[2].MembershipID, string(rows[2].Metadata)), // same metadata: skipped
		metaRow(5, rows[5].MembershipID, `{"changed":true}`),       // changed metadata: sent
	}
	h.opts.InputSHA256, h.opts.RunID = "input-2", "r2"
	before := len(h.sim.Ledger())
	out, err := h.run(second)
	if err != nil {
		t.Fatal(err)
	}
	want := []outcome.Status{outcome.Skipped, outcome.Applied, outcome.Skipped, outcome.Applied}
	for i, r := range out {
		if r.Status != want[i] {
			t.Errorf("line %d: %s (%s), want %s", r.Line, r.Status, r.Error, want[i])
		}
	}
	if got := len(h.sim.Ledger()) - before; got != 2 {
		t.Errorf("second file applied %d changes, want 2", got)
	}
	if out[0].PeriodEnd == nil {
		t.Errorf("skipped row carries no dates of the earlier outcome: %+v", out[0])
	}
	// The same first file again: everything is reported as applied, from
	// the journal, with nothing sent.
	h.opts.InputSHA256 = "input-1"
	n := len(h.sim.Requests())
	out, err = h.run(rows)
	if err != nil {
		t.Fatal(err)
	}
	if got := statuses(out); got[outcome.Applied]+got[outcome.Skipped] != 9 {
		t.Errorf("re-run statuses %v", got)
	}
	if sent := len(h.sim.Requests()) - n; sent != 2 {
		// rows[5]'s metadata was changed by the second file: desired state
		// reads it and sends it back; nothing else.
		t.Errorf("re-run sent %d requests, want 2", sent)
	}
}

func TestMaxFailuresStops(t *testing.T) {
	h := newHarness(t, whopsim.Config{})
	var rows []input.Row
	for i := 0; i < 50; i++ {
		rows = append(rows, addRow(i+2, fmt.Sprintf("mem_gone%d", i), 7))
	}
	h.opts.MaxFailures, h.opts.Concurrency = 5, 1
	out, err := h.run(rows)
	if !errors.Is(err, ErrTooManyFailures) {
		t.Fatalf("Run error %v, want ErrTooManyFailures", err)
	}
	if got := statuses(out); got[outcome.Failed] != 6 {
		t.Errorf("statuses %v, want 6 failed then a stop", got)
	}
}

// Body must be exactly what the client sends, since its hash is the
// payload the journal compares.
func TestBodyMatchesEncodingJSON(t *testing.T) {
	for _, r := range []input.Row{
		addRow(2, "mem_a", 7), addRow(2, "mem_a", 1095),
		metaRow(3, "mem_a", `{}`), metaRow(3, "mem_a", `{"a":{"b":[1,"x\u00e9"]},"c":null}`),
	} {
		var want []byte
		if r.Action == input.AddFreeDays {
			want, _ = json.Marshal(map[string]int{"days": r.Days})
		} else {
			want, _ = json.Marshal(struct {
				Metadata json.RawMessage `json:"metadata"`
			}{r.Metadata})
		}
		if got := r.Body(); string(got) != string(want) {
			t.Errorf("Body() = %s, want %s", got, want)
		}
	}
}

// inProgress answers every Extend with the Current API's 409: a request
// with this key is still running.
type inProgress struct{ client.API }

func (inProgress) Extend(context.Context, string, int, string) (*client.Membership, error) {
	return nil, &client.Error{Kind: client.Unknown, Status: 409, Code: client.CodeInProgress, Message: "still processing"}
}

// A key the API keeps reporting in progress may still apply: the row ends
// unknown, never failed as not applied (which a later run would send
// again).
func TestInProgressStaysUnknown(t *testing.T) {
	h := newHarness(t, whopsim.Config{})
	h.sim.Put(whopsim.Membership{ID: "mem_ip", Status: "active", PeriodEnd: i64(1_800_000_000)})
	h.api = inProgress{h.api}
	h.opts.Retries = 1
	out, err := h.run([]input.Row{addRow(2, "mem_ip", 7)})
	if err != nil {
		t.Fatal(err)
	}
	if out[0].Status != outcome.Unknown || !strings.Contains(out[0].Error, "in progress") {
		t.Errorf("status %s %q, want unknown, in progress", out[0].Status, out[0].Error)
	}
}

// beforeUpdate calls check before each metadata update it passes on.
type beforeUpdate struct {
	client.API
	check func(obj json.RawMessage)
}

func (b beforeUpdate) UpdateMetadata(ctx context.Context, id string, obj json.RawMessage, key string) (*client.Membership, error) {
	b.check(obj)
	return b.API.UpdateMetadata(ctx, id, obj, key)
}

// A replace that must clear the metadata first (the Current API merges)
// journals its intent before the clearing request leaves, so that a crash
// between the two requests leaves a record the next run acts on.
func TestReplaceJournalsBeforeClearing(t *testing.T) {
	h := newHarness(t, whopsim.Config{})
	h.sim.Put(whopsim.Membership{ID: "mem_rc", Status: "active", Metadata: map[string]any{"old": "x"}})
	h.opts.ReplaceMetadata = true
	var sent []string
	h.api = beforeUpdate{API: h.api, check: func(obj json.RawMessage) {
		sent = append(sent, string(obj))
		data, _ := os.ReadFile(filepath.Join(h.state, h.opts.Campaign+".journal"))
		if !strings.Contains(string(data), `{"t":"i",`) || !strings.Contains(string(data), `"id":"mem_rc"`) {
			t.Errorf("update %s sent before an intent was journaled:\n%s", obj, data)
		}
	}}
	out, err := h.run([]input.Row{metaRow(2, "mem_rc", `{"new":"y"}`)})
	if err != nil || out[0].Status != outcome.Applied {
		t.Fatalf("got %+v, %v", out[0], err)
	}
	if want := []string{`{}`, `{"new":"y"}`}; !slices.Equal(sent, want) {
		t.Errorf("sent %q, want %q", sent, want)
	}
	if m, _ := h.sim.Get("mem_rc"); len(m.Metadata) != 1 || m.Metadata["new"] != "y" {
		t.Errorf("server metadata %v", m.Metadata)
	}
}

// A gateway answers 504 at once and the API applies the days later, after
// the settle delay: the read back shows nothing yet. The request is not
// sent again before the quiet period has passed and a read still shows
// nothing, so the days are added once, whether the API honours
// Idempotency-Keys or ignores them.
func TestLateCommitIsNotSentAgain(t *testing.T) {
	for _, cfg := range []whopsim.Config{
		{API: "current"},
		{API: "current", IgnoreIdempotency: true},
		{API: "v2"},
	} {
		t.Run(fmt.Sprintf("%s ignore keys %v", cfg.API, cfg.IgnoreIdempotency), func(t *testing.T) {
			cfg.LateCommitRate, cfg.LateCommitDelay = 1, 300*time.Millisecond
			h := newHarness(t, cfg)
			h.opts.QuietPeriod = time.Second
			h.sim.Put(whopsim.Membership{ID: "mem_late", Status: "active", PeriodEnd: i64(1_800_000_000)})
			out, err := h.run([]input.Row{addRow(2, "mem_late", 7)})
			if err != nil {
				t.Fatal(err)
			}
			time.Sleep(2 * cfg.LateCommitDelay) // any change sent again lands too
			m, _ := h.sim.Get("mem_late")
			if got := (*m.PeriodEnd - 1_800_000_000) / 86400; got != 7 {
				t.Errorf("the membership got %d days, want 7", got)
			}
			if out[0].Status != outcome.Applied || out[0].Attempts != 1 {
				t.Errorf("status %s after %d attempts (%s), want applied after 1", out[0].Status, out[0].Attempts, out[0].Error)
			}
		})
	}
}

// lying answers an extend with 200 after calling the real API times
// times, and with the membership as it was before when stale.
type lying struct {
	client.API
	times int
	stale bool
}

func (l lying) Extend(ctx context.Context, id string, days int, key string) (*client.Membership, error) {
	before, err := l.API.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	m := before
	for range l.times {
		if m, err = l.API.Extend(ctx, id, days, key+fmt.Sprint(l.times)); err != nil {
			return nil, err
		}
	}
	if l.stale {
		m = before
	}
	m.HTTPStatus = 200
	return m, nil
}

// A 2xx is not taken at its word: an answer whose dates do not show
// exactly the days added is settled by reading back, reported applied only
// when the read shows the days, and never sent again.
func TestAnswersAreChecked(t *testing.T) {
	for _, tt := range []struct {
		name    string
		api     lying
		want    outcome.Status
		extends int
	}{
		{"applied, stale answer", lying{times: 1, stale: true}, outcome.Applied, 1},
		{"not applied, 200 anyway", lying{times: 0, stale: true}, outcome.Unknown, 0},
		{"applied twice", lying{times: 2}, outcome.Unknown, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, whopsim.Config{IgnoreIdempotency: true})
			h.sim.Put(whopsim.Membership{ID: "mem_l", Status: "active", PeriodEnd: i64(1_800_000_000)})
			tt.api.API = h.api
			h.api = tt.api
			out, err := h.run([]input.Row{addRow(2, "mem_l", 7)})
			if err != nil {
				t.Fatal(err)
			}
			extends := 0
			for _, e := range h.sim.Ledger() {
				if e.Op == whopsim.OpAddFreeDays {
					extends++
				}
			}
			if out[0].Status != tt.want || extends != tt.extends {
				t.Errorf("status %s (%s), %d extends; want %s, %d", out[0].Status, out[0].Error, extends, tt.want, tt.extends)
			}
		})
	}
}

// syncedFirst checks, as each extend leaves, that every record appended
// so far is on disk: the intent of the request above all.
type syncedFirst struct {
	client.API
	j      **journal.Journal
	checks *int
	t      *testing.T
}

func (s syncedFirst) Extend(ctx context.Context, id string, days int, key string) (*client.Membership, error) {
	*s.checks++
	if n := (*s.j).Stats().Unsynced; n != 0 {
		s.t.Errorf("extend of %s sent with %d journal records not yet fsynced", id, n)
	}
	return s.API.Extend(ctx, id, days, key)
}

// No extend leaves before its intent is fsynced: after a power loss the
// next run knows the request may have been sent.
func TestIntentIsFsyncedBeforeTheRequest(t *testing.T) {
	h := newHarness(t, whopsim.Config{})
	rows := mixed(h.sim, 6)
	h.opts.Concurrency = 1 // no other row's outcome is in between
	var j *journal.Journal
	checks := 0
	h.api = syncedFirst{API: h.api, j: &j, checks: &checks, t: t}
	h.open = func(jj *journal.Journal) { j = jj }
	if _, err := h.run(rows); err != nil {
		t.Fatal(err)
	}
	if checks == 0 {
		t.Fatal("no extend was sent: the test tested nothing")
	}
}
