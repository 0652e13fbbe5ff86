package batch

import (
	"context"
	"reflect"
	"testing"
	"time"

	"bulk/internal/client"
)

// fakeClock drives a pacer without sleeping: sleep advances the clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }
func (c *fakeClock) sleep(ctx context.Context, d time.Duration) error {
	if d > 0 {
		c.t = c.t.Add(d)
	}
	return ctx.Err()
}

func fakePacer(cfg Pace) (*pacer, *fakeClock) {
	clk := &fakeClock{t: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}
	p := newPacer(cfg)
	p.now, p.sleep = clk.now, clk.sleep
	p.grown = clk.t
	return p, clk
}

// maxInWindow is the most sends in any half-open window (t-w, t].
func maxInWindow(sends []time.Time, w time.Duration) int {
	best, lo := 0, 0
	for hi := range sends {
		for !sends[lo].After(sends[hi].Add(-w)) {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}

func sendN(t *testing.T, p *pacer, clk *fakeClock, n int) []time.Time {
	t.Helper()
	var sends []time.Time
	for i := 0; i < n; i++ {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		sends = append(sends, clk.t)
		p.Succeeded()
	}
	return sends
}

func TestPaceStaysUnderTheLimit(t *testing.T) {
	tests := []struct {
		name     string
		cfg      Pace
		minRate  float64 // achieved requests per second at least
		maxIn10s int
	}{
		{"default", Pace{}, 9.85, 100},
		{"rate above the limit is capped", Pace{Rate: 50}, 9.5, 100},
		{"slower rate", Pace{Rate: 2}, 1.99, 21},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, clk := fakePacer(tt.cfg)
			start := clk.t
			sends := sendN(t, p, clk, 2000)
			if got := maxInWindow(sends, 10*time.Second); got > tt.maxIn10s {
				t.Errorf("%d requests in one 10 s window, want at most %d", got, tt.maxIn10s)
			}
			rate := float64(len(sends)-1) / sends[len(sends)-1].Sub(start).Seconds()
			if rate < tt.minRate {
				t.Errorf("achieved %.3f requests/s, want at least %.2f", rate, tt.minRate)
			}
		})
	}
}

func TestRateLimitedPausesAndSlowsDown(t *testing.T) {
	p, clk := fakePacer(Pace{})
	sendN(t, p, clk, 10)
	hit := clk.t
	p.RateLimited(0)
	if err := p.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if waited := clk.t.Sub(hit); waited < APICooldown {
		t.Fatalf("resumed %v after a 429 without Retry-After, want the %v cooldown", waited, APICooldown)
	}
	if r := p.Rate(); r > DefaultRate/2+0.01 {
		t.Fatalf("rate after a 429 = %.2f, want about half of %.1f", r, DefaultRate)
	}
	// It grows back gradually, not at once, and not above the ceiling
	// under the rate that was refused.
	sendN(t, p, clk, 50)
	if r := p.Rate(); r >= DefaultRate*0.9 {
		t.Errorf("rate %.2f shortly after a 429: recovered too fast", r)
	}
	sendN(t, p, clk, 2000)
	if r := p.Rate(); r < DefaultRate*0.85 || r > DefaultRate {
		t.Errorf("rate %.2f long after a 429, want close to %.1f", r, DefaultRate)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	p, clk := fakePacer(Pace{})
	sendN(t, p, clk, 3)
	hit := clk.t
	p.RateLimited(7 * time.Second)
	p.RateLimited(2 * time.Second) // a later, shorter answer does not shorten the pause
	sendN(t, p, clk, 1)
	if waited := clk.t.Sub(hit); waited < 7*time.Second || waited > 8*time.Second {
		t.Errorf("waited %v, want the 7 s of Retry-After", waited)
	}
}

// A server with half the expected limit costs a few cooldowns, not one per
// burst: simulate its window and count the 429s over a long run.
func TestLowerServerLimitCostsFewCooldowns(t *testing.T) {
	p, clk := fakePacer(Pace{})
	var accepted []time.Time
	cooldownUntil := time.Time{}
	limited := 0
	for len(accepted) < 3000 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
		now := clk.t
		inWindow := 0
		for i := len(accepted) - 1; i >= 0 && accepted[i].After(now.Add(-10*time.Second)); i-- {
			inWindow++
		}
		if now.Before(cooldownUntil) || inWindow >= 50 {
			if !now.Before(cooldownUntil) {
				cooldownUntil = now.Add(APICooldown)
			}
			limited++
			p.RateLimited(0)
			continue
		}
		accepted = append(accepted, now)
		p.Succeeded()
	}
	if limited > 6 {
		t.Errorf("%d requests refused over 3000 at a 50/10s server, want a few", limited)
	}
}

func TestWaitStopsWithContext(t *testing.T) {
	p, _ := fakePacer(Pace{})
	p.RateLimited(0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Wait(ctx); err == nil {
		t.Fatal("Wait returned nil on a cancelled context during a pause")
	}
}

// A 429 pauses the workers of its operation: all of them on v2, whose
// limit counts every operation together; only that operation's on the
// Current API, where each has its own.
func TestA429PausesItsOperation(t *testing.T) {
	for _, tt := range []struct {
		dialect    client.Dialect
		readPaused bool
	}{
		{client.Dialect{Name: "current", Limit: 600, Window: time.Minute}, false},
		{client.Dialect{Name: "v2", SharedLimit: true, Limit: 100, Window: 10 * time.Second, Cooldown: time.Minute}, true},
	} {
		t.Run(tt.dialect.Name, func(t *testing.T) {
			p := newPacers(Pace{}, tt.dialect)
			p[client.OpExtend].RateLimited(12 * time.Second)
			if d := p[client.OpExtend].pauseLeft(); d <= 11*time.Second {
				t.Errorf("extend paused for %v, want the 12 s the 429 asked", d)
			}
			if paused := p[client.OpRead].pauseLeft() > 0; paused != tt.readPaused {
				t.Errorf("read paused: %v, want %v", paused, tt.readPaused)
			}
			if r := p[client.OpRead].cfg.Rate; r > DefaultRate || r <= 0 {
				t.Errorf("default rate %v, want at most %v", r, DefaultRate)
			}
			if l := p[client.OpRead].cfg.Limit; l != tt.dialect.Limit {
				t.Errorf("limit %d, want the API's %d", l, tt.dialect.Limit)
			}
		})
	}
}

// A 429 never pauses longer than MaxPause, whatever it asks, and OnPause
// hears of the pause (once for a burst of 429s) and of the cap.
func TestPauseIsCappedAndTold(t *testing.T) {
	type pause struct {
		op     string
		d      time.Duration
		capped bool
	}
	year := 365 * 24 * time.Hour
	tests := []struct {
		name       string
		retryAfter []time.Duration // 429s received at the same instant
		wantWait   time.Duration
		want       []pause
	}{
		{"retry-after honoured", []time.Duration{7 * time.Second}, 7 * time.Second, []pause{{"extend", 7 * time.Second, false}}},
		{"no retry-after: the cooldown", []time.Duration{0}, APICooldown, []pause{{"extend", APICooldown, false}}},
		{"a year is capped", []time.Duration{year}, MaxPause, []pause{{"extend", MaxPause, true}}},
		{"exactly the cap", []time.Duration{MaxPause}, MaxPause, []pause{{"extend", MaxPause, false}}},
		{"a burst is told once", []time.Duration{7 * time.Second, 7 * time.Second, 6 * time.Second}, 7 * time.Second,
			[]pause{{"extend", 7 * time.Second, false}}},
		{"a longer answer is told again", []time.Duration{7 * time.Second, year}, MaxPause,
			[]pause{{"extend", 7 * time.Second, false}, {"extend", MaxPause, true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []pause
			clk := &fakeClock{t: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}
			pacers := newPacers(Pace{OnPause: func(op string, d time.Duration, capped bool) {
				got = append(got, pause{op, d, capped})
			}}, client.Dialect{Name: "current", Limit: 600, Window: time.Minute})
			p := pacers[client.OpExtend]
			p.now, p.sleep, p.grown = clk.now, clk.sleep, clk.t
			sendN(t, p, clk, 3)
			hit := clk.t
			for _, ra := range tt.retryAfter {
				p.RateLimited(ra)
			}
			sendN(t, p, clk, 1)
			if waited := clk.t.Sub(hit); waited < tt.wantWait || waited > tt.wantWait+time.Second {
				t.Errorf("waited %v, want %v", waited, tt.wantWait)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("OnPause got %v, want %v", got, tt.want)
			}
		})
	}
}

// Where one limit counts every operation (v2), the pause is told as SharedOp's.
func TestSharedPauseIsNamed(t *testing.T) {
	var got []string
	pacers := newPacers(Pace{OnPause: func(op string, _ time.Duration, _ bool) { got = append(got, op) }},
		client.Dialect{Name: "v2", SharedLimit: true, Limit: 100, Window: 10 * time.Second, Cooldown: time.Minute})
	pacers[client.OpRead].RateLimited(time.Second)
	if want := []string{SharedOp}; !reflect.DeepEqual(got, want) {
		t.Errorf("OnPause ops %v, want %v", got, want)
	}
}

// A request that leaves after it was allowed (its intent took a while to
// reach the disk) is counted from when it left: the next one that would
// put Limit+1 in a window waits for it.
func TestRestampCountsTheRealSendTime(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	p := newPacer(Pace{Rate: 1000, Limit: 2, Window: time.Second})
	p.now, p.sleep = clock.now, clock.sleep
	sent, err := p.Reserve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	clock.t = clock.t.Add(300 * time.Millisecond) // the fsync
	sent()
	start := clock.t
	if err := p.Wait(context.Background()); err != nil { // the second in the window
		t.Fatal(err)
	}
	if err := p.Wait(context.Background()); err != nil { // must wait for the first to leave the window
		t.Fatal(err)
	}
	if waited := clock.t.Sub(start); waited < time.Second-10*time.Millisecond {
		t.Errorf("the third request went %v after the first left, want a full window (1s)", waited)
	}
}
