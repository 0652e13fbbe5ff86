package whopsim

import (
	"strings"
	"testing"
	"time"
)

const rateLimitedBody = `{"message":"You are being rate limited"}`

func TestV2RateLimitCooldown(t *testing.T) {
	clock := newClock()
	h := start(t, Config{API: APIV2, Limit: 3, Window: 10 * time.Second, Cooldown: 60 * time.Second, Now: clock.Now})
	fixtures(h.sim)
	steps := []struct {
		at         time.Duration
		wantStatus int
		why        string
	}{
		{0, 200, "first of three"},
		{1 * time.Second, 200, "second"},
		{2 * time.Second, 200, "third fills the window"},
		{3 * time.Second, 429, "fourth in 10s starts the cooldown"},
		{20 * time.Second, 429, "the window is clear but the cooldown is not over"},
		{62*time.Second + 999*time.Millisecond, 429, "last instant of the cooldown"},
		{63 * time.Second, 200, "the cooldown is over"},
		{64 * time.Second, 200, "refused requests did not count"},
	}
	for _, s := range steps {
		clock.at(s.at)
		got := h.get("mem_renew")
		if got.status != s.wantStatus {
			t.Fatalf("at +%v (%s): status = %d, want %d", s.at, s.why, got.status, s.wantStatus)
		}
		if got.status == 429 {
			if got.body != rateLimitedBody {
				t.Errorf("at +%v: body = %q, want %q", s.at, got.body, rateLimitedBody)
			}
			if ra := got.header.Get("Retry-After"); ra != "" {
				t.Errorf("at +%v: Retry-After = %q, want none (v2 documents none)", s.at, ra)
			}
		}
	}
	if got := h.sim.Count429(); got != 3 {
		t.Errorf("Count429 = %d, want 3", got)
	}
	if got := len(h.sim.Requests()); got != len(steps) {
		t.Errorf("logged %d requests, want %d", got, len(steps))
	}
}

func TestV2RateLimitSlidingWindowIsHalfOpen(t *testing.T) {
	clock := newClock()
	h := start(t, Config{API: APIV2, Limit: 2, Window: 10 * time.Second, Now: clock.Now})
	fixtures(h.sim)
	steps := []struct {
		at         time.Duration
		wantStatus int
		why        string
	}{
		{0, 200, "empty window"},
		{5 * time.Second, 200, "(-5s, 5s] holds 0s"},
		{10 * time.Second, 200, "(0s, 10s] holds only 5s: 0s has left"},
		{15 * time.Second, 200, "(5s, 15s] holds only 10s"},
		{15 * time.Second, 429, "(5s, 15s] holds 10s and 15s"},
	}
	for i, s := range steps {
		clock.at(s.at)
		if got := h.get("mem_renew"); got.status != s.wantStatus {
			t.Fatalf("request %d at +%v (%s): status = %d, want %d", i, s.at, s.why, got.status, s.wantStatus)
		}
	}
}

func TestV2RateLimitAuthAndGetsCount(t *testing.T) {
	clock := newClock()
	h := start(t, Config{API: APIV2, Limit: 2, Now: clock.Now})
	fixtures(h.sim)
	h.send("GET", "/memberships/mem_renew", "", map[string]string{"Authorization": "Bearer wrong"})
	h.addDays("mem_renew", 1, nil)
	got := h.get("mem_renew")
	if got.status != 429 {
		t.Errorf("third request: status = %d, want 429 (401s and POSTs count)", got.status)
	}
	h2 := start(t, Config{API: APIV2, Limit: 1, Now: clock.Now})
	h2.get("mem_nobody")
	if got := h2.send("GET", "/memberships/x", "", map[string]string{"Authorization": ""}); got.status != 429 {
		t.Errorf("unauthenticated request over the limit: status = %d, want 429 (the rate check comes first)", got.status)
	}
}

func TestV2RetryAfter(t *testing.T) {
	clock := newClock()
	h := start(t, Config{API: APIV2, Limit: 1, Cooldown: 60 * time.Second, RetryAfter: true, Now: clock.Now})
	fixtures(h.sim)
	h.get("mem_renew")
	tests := []struct {
		at   time.Duration
		want string
	}{
		{0, "60"},
		{500 * time.Millisecond, "60"},
		{17*time.Second + 500*time.Millisecond, "43"},
		{59*time.Second + 999*time.Millisecond, "1"},
	}
	for _, tt := range tests {
		clock.at(tt.at)
		got := h.get("mem_renew")
		if got.status != 429 || got.header.Get("Retry-After") != tt.want {
			t.Errorf("at +%v: %d Retry-After %q, want 429 %q", tt.at, got.status, got.header.Get("Retry-After"), tt.want)
		}
	}
}

func TestStartCooldown(t *testing.T) {
	for _, api := range []string{APICurrent, APIV2} {
		clock := newClock()
		h := start(t, Config{API: api, NoLimit: true, Now: clock.Now})
		fixtures(h.sim)
		h.sim.StartCooldown(30 * time.Second)
		tests := []struct {
			at   time.Duration
			want int
		}{
			{0, 429},
			{29 * time.Second, 429},
			{30 * time.Second, 200},
		}
		for _, tt := range tests {
			clock.at(tt.at)
			if got := h.get("mem_renew"); got.status != tt.want {
				t.Errorf("%s read at +%v: status = %d, want %d", api, tt.at, got.status, tt.want)
			}
			if got := h.setMetadata("mem_renew", `{"metadata":{}}`); got.status/100 != tt.want/100 {
				t.Errorf("%s update at +%v: status = %d, want %d", api, tt.at, got.status, tt.want)
			}
		}
	}
}

func TestNoLimit(t *testing.T) {
	h := start(t, Config{NoLimit: true, Limit: 1})
	fixtures(h.sim)
	for i := range 20 {
		if got := h.get("mem_renew"); got.status != 200 {
			t.Fatalf("request %d: status = %d, want 200", i, got.status)
		}
	}
}

func TestMaxInWindow(t *testing.T) {
	s := func(n float64) time.Duration { return time.Duration(n * float64(time.Second)) }
	tests := []struct {
		name     string
		arrivals []time.Duration
		w        time.Duration
		want     int
	}{
		{"none", nil, s(10), 0},
		{"one", []time.Duration{0}, s(10), 1},
		{"same instant", []time.Duration{0, 0, 0}, s(1), 3},
		{"edge is out", []time.Duration{0, s(10)}, s(10), 1},
		{"just inside", []time.Duration{0, s(9.999)}, s(10), 2},
		{"busiest later", []time.Duration{0, s(20), s(21), s(22), s(35)}, s(10), 3},
		{"sliding", []time.Duration{0, s(5), s(9), s(12), s(14), s(30)}, s(10), 4},
		{"zero window", []time.Duration{0, 0}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newClock()
			h := start(t, Config{NoLimit: true, Now: clock.Now})
			for _, a := range tt.arrivals {
				clock.at(a)
				h.get("mem_any")
			}
			if got := h.sim.MaxInWindow(tt.w); got != tt.want {
				t.Errorf("MaxInWindow(%v) = %d, want %d", tt.w, got, tt.want)
			}
		})
	}
}

func TestMaxInWindowCountsRefused(t *testing.T) {
	clock := newClock()
	h := start(t, Config{API: APIV2, Limit: 2, Now: clock.Now})
	for range 5 {
		h.get("mem_any")
	}
	if got := h.sim.MaxInWindow(10 * time.Second); got != 5 {
		t.Errorf("MaxInWindow = %d, want 5 (refused requests were still sent)", got)
	}
}

func TestNoLog(t *testing.T) {
	h := start(t, Config{NoLog: true, AutoCreate: true})
	h.addDays("mem_a", 1, nil)
	if got := len(h.sim.Requests()); got != 0 {
		t.Errorf("logged %d requests, want none", got)
	}
	if got := len(h.sim.Ledger()); got != 1 {
		t.Errorf("ledger has %d entries, want 1", got)
	}
}

func TestCurrentRateLimitPerOperation(t *testing.T) {
	clock := newClock()
	h := start(t, Config{Limit: 2, Window: time.Minute, Now: clock.Now})
	fixtures(h.sim)
	read := func() answer { return h.get("mem_renew") }
	extend := func() answer { return h.addDays("mem_renew", 1, nil) }
	update := func() answer { return h.setMetadata("mem_renew", `{"metadata":{"a":"b"}}`) }
	list := func() answer { return h.send("GET", "/memberships", "", nil) }
	steps := []struct {
		at         time.Duration
		name       string
		do         func() answer
		wantStatus int
		wantWait   string
	}{
		{0, "read 1", read, 200, ""},
		{0, "read 2 fills the read window", read, 200, ""},
		{time.Second, "read 3", read, 429, "Try again in 59 seconds."},
		{time.Second, "extend has its own window", extend, 200, ""},
		{time.Second, "update has its own window", update, 200, ""},
		{time.Second, "list has its own window", list, 200, ""},
		{time.Second, "extend 2", extend, 200, ""},
		{2 * time.Second, "extend 3", extend, 429, "Try again in 59 seconds."},
		{59*time.Second + 500*time.Millisecond, "read, half a second left", read, 429, "Try again in 1 seconds."},
		{time.Minute, "the first reads have left the window; no cooldown", read, 200, ""},
		{time.Minute, "read 5", read, 200, ""},
		{time.Minute, "read 6", read, 429, "Try again in 60 seconds."},
		{61 * time.Second, "extend: refusals did not count", extend, 200, ""},
	}
	for _, s := range steps {
		clock.at(s.at)
		got := s.do()
		if got.status != s.wantStatus {
			t.Fatalf("+%v %s: status = %d, want %d; %s", s.at, s.name, got.status, s.wantStatus, got.body)
		}
		if s.wantStatus != 429 {
			continue
		}
		want := `{"error":{"type":"rate_limit_exceeded","message":"` + s.wantWait + `"}}`
		if got.body != want {
			t.Errorf("+%v %s: body = %s, want %s", s.at, s.name, got.body, want)
		}
		if ra := got.header.Get("Retry-After"); ra != "" {
			t.Errorf("+%v %s: Retry-After = %q, want none unless asked for", s.at, s.name, ra)
		}
	}
	if got := h.sim.Count429(); got != 4 {
		t.Errorf("Count429 = %d, want 4", got)
	}
}

func TestCurrentRetryAfter(t *testing.T) {
	clock := newClock()
	h := start(t, Config{Limit: 1, RetryAfter: true, Now: clock.Now})
	fixtures(h.sim)
	h.get("mem_renew")
	clock.at(20*time.Second + 100*time.Millisecond)
	got := h.get("mem_renew")
	if got.status != 429 || got.header.Get("Retry-After") != "40" || !strings.Contains(got.body, "Try again in 40 seconds.") {
		t.Errorf("got %d Retry-After %q %s, want 429, 40 in both", got.status, got.header.Get("Retry-After"), got.body)
	}
}

func TestCurrentDefaultLimit(t *testing.T) {
	h := serveSim(t, New(Config{Now: newClock().Now})) // all at one instant
	fixtures(h.sim)
	for i := range 600 {
		if got := h.send("GET", "/memberships/mem_renew", "", map[string]string{"Authorization": "Bearer any"}); got.status != 200 {
			t.Fatalf("read %d: status = %d, want 200", i+1, got.status)
		}
	}
	if got := h.get("mem_renew"); got.status != 429 {
		t.Errorf("read 601 within a minute: status = %d, want 429", got.status)
	}
	if got := h.addDays("mem_renew", 1, nil); got.status != 200 {
		t.Errorf("extend after 601 reads: status = %d, want 200", got.status)
	}
}

func TestMaxInWindowOp(t *testing.T) {
	clock := newClock()
	h := start(t, Config{Limit: 1, Now: clock.Now})
	fixtures(h.sim)
	for i := range 4 {
		clock.at(time.Duration(i) * time.Second)
		h.get("mem_renew")
	}
	h.addDays("mem_renew", 1, nil)
	h.addDays("mem_renew", 1, nil)
	tests := []struct {
		op   string
		w    time.Duration
		want int
	}{
		{OpRead, 10 * time.Second, 4},
		{OpRead, time.Second, 1},
		{OpExtend, time.Second, 2},
		{OpUpdate, time.Minute, 0},
		{OpList, time.Minute, 0},
	}
	for _, tt := range tests {
		if got := h.sim.MaxInWindowOp(tt.op, tt.w); got != tt.want {
			t.Errorf("MaxInWindowOp(%s, %v) = %d, want %d", tt.op, tt.w, got, tt.want)
		}
	}
	if got := h.sim.MaxInWindow(10 * time.Second); got != 6 {
		t.Errorf("MaxInWindow = %d, want 6", got)
	}
}
