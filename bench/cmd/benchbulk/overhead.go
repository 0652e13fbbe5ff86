package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"bulk/internal/whopsim"
)

// overhead: a full bulk run (journal, report, pool of 8, no pace) against a
// simulator with no limit, compared with bare keep-alive loops of 8
// goroutines against the same server: one sending the very requests bulk
// sends, from a separate process as bulk is, measured before and after
// each bulk run; and a loop of GETs inside the simulator's own process.
func (b *bench) overhead(ctx context.Context) error {
	n := 20_000
	if b.cfg.quick {
		n = 5_000
	}
	for _, kind := range []string{metadataRows, daysRows} {
		if err := b.overheadOf(ctx, kind, n); err != nil {
			return err
		}
	}
	b.note("overhead", "simulator: NoLimit, NoLog, no latency, in the harness's process; bulk: --api-limit none, --concurrency 8 (default), journal on")
	b.note("overhead", "Current API (/api/v1) on both sides")
	b.note("overhead", "same requests: a separate process, 8 goroutines, one keep-alive net/http client, sending what bulk sends for a row (metadata: GET /memberships/{id} then PATCH /memberships/{id}; add free days: GET /memberships/{id} then POST .../extend), 3 s before and 3 s after each bulk run, averaged")
	b.note("overhead", "GET loop: 8 goroutines in the simulator's own process, GET /memberships/{id}, 3 s before each bulk run: no request crosses a process boundary, and a GET costs the simulator less than a POST")
	b.note("overhead", "rows/s is over the whole bulk process (start, validating the file, the run, writing the report); the engine's own time is from the summary")
	return nil
}

func (b *bench) overheadOf(ctx context.Context, kind string, n int) error {
	file, err := b.rowsFile(kind, n)
	if err != nil {
		return err
	}
	shape := bareMetadata
	if kind == daysRows {
		shape = bareDays
	}
	var sameRatios, getRatios, sames, gets, bareCPUs, rowRates, engineRates, cpus, simCPUs []float64
	for i := range b.cfg.runs {
		s, err := startSim(whopsim.Config{NoLimit: true, NoLog: true})
		if err != nil {
			return err
		}
		cpu0 := selfCPU()
		get := bareLoop(ctx, s.api, s.url, s.key, 8, 3*time.Second, bareGet)
		bareCPUs = append(bareCPUs, float64((selfCPU()-cpu0).Microseconds())/(get.requests*3))
		before, err := bareLoopProcess(ctx, s, 3*time.Second, shape)
		if err != nil {
			return err
		}
		b.progress("overhead: %s run %d of %d: bare loops %.0f GET/s in process, %.0f rows/s of the same requests; bulk on %d rows",
			kind, i+1, b.cfg.runs, get.requests, before.rows, n)
		simCPU := selfCPU()
		r, err := b.runBulk(ctx, bulkSpec{file: file, sim: s, args: []string{"--api-limit", "none"}, tag: fmt.Sprintf("overhead%d", i)})
		simCPU = selfCPU() - simCPU
		if err != nil {
			s.close()
			return err
		}
		after, err := bareLoopProcess(ctx, s, 3*time.Second, shape)
		s.close()
		if err != nil {
			return err
		}
		if r.exit != 0 {
			return fmt.Errorf("bulk exited %d on %s\n%s", r.exit, file, tail(r.stderr, 2000))
		}
		same := (before.rows + after.rows) / 2
		rows := float64(n) / secs(r.wall)
		reqs := float64(r.summary.RequestsSent) / secs(r.wall)
		sames = append(sames, same)
		gets = append(gets, get.requests)
		rowRates = append(rowRates, rows)
		engineRates = append(engineRates, float64(n)/r.summary.DurationSeconds)
		cpus = append(cpus, float64(r.cpu.Microseconds())/float64(n))
		simCPUs = append(simCPUs, float64(simCPU.Microseconds())/float64(n))
		sameRatios = append(sameRatios, rows/same)
		getRatios = append(getRatios, reqs/get.requests)
		b.progress("overhead: %s: %.0f rows/s (%.0f req/s) over %.2f s, engine %.0f rows/s, %d requests; same requests bare: %.0f then %.0f rows/s",
			kind, rows, reqs, secs(r.wall), float64(n)/r.summary.DurationSeconds, r.summary.RequestsSent, before.rows, after.rows)
	}
	label := "metadata (GET + PATCH a row)"
	if kind == daysRows {
		label = "add free days (GET + POST a row)"
	}
	sc := "overhead"
	b.info(sc, label+": bare loop of the same requests, separate process, rows/s", num(best(sames, false)), sames, "")
	b.info(sc, label+": bulk rows/s, whole process", num(best(rowRates, false)), rowRates, "")
	b.info(sc, label+": bulk rows/s, engine only", num(best(engineRates, false)), engineRates, "")
	b.info(sc, label+": bulk CPU (user + system) per row", num(best(cpus, true))+" µs", cpus, " µs")
	b.info(sc, label+": simulator CPU per row, meanwhile", num(best(simCPUs, true))+" µs", simCPUs, " µs")
	b.check(sc, label+": bulk rows/s ÷ bare loop rows/s, same requests", best(sameRatios, false), "", true, 0.5, sameRatios)
	b.info(sc, label+": GET loop in the simulator's process, req/s", num(best(gets, false)), gets, "")
	if kind == metadataRows {
		b.info(sc, "GET loop: CPU per request, client and server together", num(best(bareCPUs, true))+" µs", bareCPUs, " µs")
	}
	b.check(sc, label+": bulk requests/s ÷ GET loop req/s", best(getRatios, false), "", true, 0.5, getRatios)
	return nil
}

// Shapes of a bare loop's unit of work, in the Current API (v2 in brackets).
const (
	bareGet      = "get"      // GET /memberships/{id}
	bareMetadata = "metadata" // GET /memberships/{id}, then PATCH (v2: POST) /memberships/{id} with a metadata object
	bareDays     = "days"     // GET /memberships/{id}, then POST /memberships/{id}/extend (v2: add_free_days)
)

// bareRate is what a bare loop achieved: units of work (rows) and
// requests per second.
type bareRate struct{ rows, requests float64 }

// bareLoop runs workers goroutines doing units of work of the given shape
// in the given dialect over keep-alive connections as fast as the server
// answers, for d. A unit counts when every request in it succeeded.
func bareLoop(ctx context.Context, api, url, key string, workers int, d time.Duration, shape string) bareRate {
	update, extend := http.MethodPatch, "/extend"
	if api == whopsim.APIV2 {
		update, extend = http.MethodPost, "/add_free_days"
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.MaxIdleConnsPerHost = workers
	hc := &http.Client{Transport: t}
	defer t.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	send := func(method, url, body string) bool {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, _ := http.NewRequestWithContext(ctx, method, url, r)
		req.Header.Set("Authorization", "Bearer "+key)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := hc.Do(req)
		if err != nil {
			return false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode < 300
	}
	var rows, requests atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for i := w; ctx.Err() == nil; i += workers {
				u := fmt.Sprintf("%s/memberships/mem_B%08d", url, i%10_000)
				ok := true
				switch shape {
				case bareGet:
					ok = send(http.MethodGet, u, "")
					requests.Add(1)
				case bareMetadata:
					ok = send(http.MethodGet, u, "") && send(update, u, fmt.Sprintf(`{"metadata":{"comp_campaign":"bench","row":%d}}`, i))
					requests.Add(2)
				case bareDays:
					ok = send(http.MethodGet, u, "") && send(http.MethodPost, u+extend, fmt.Sprintf(`{"days":%d}`, 1+i%30))
					requests.Add(2)
				}
				if ok {
					rows.Add(1)
				}
			}
		})
	}
	wg.Wait()
	s := time.Since(start).Seconds()
	return bareRate{rows: float64(rows.Load()) / s, requests: float64(requests.Load()) / s}
}

// selfCPU is the CPU time this process (and so the simulator) has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const bareLoopFlag = "-bare-loop"

// bareLoopProcess runs bareLoop in a child process (this program with
// -bare-loop), so that, like bulk, it reaches the server across processes.
func bareLoopProcess(ctx context.Context, s *sim, d time.Duration, shape string) (bareRate, error) {
	self, err := os.Executable()
	if err != nil {
		return bareRate{}, err
	}
	cmd := command(self, bareLoopFlag, s.api, s.url, shape, d.String())
	cmd.Env = append(cmd.Env, "WHOP_API_KEY="+s.key)
	out, err := cmd.Output()
	if err != nil {
		return bareRate{}, fmt.Errorf("bare loop process: %w", err)
	}
	var r bareRate
	_, err = fmt.Sscan(string(out), &r.rows, &r.requests)
	return r, err
}

// bareLoopMain is the child of bareLoopProcess: API URL SHAPE DURATION.
func bareLoopMain(args []string) int {
	if len(args) != 4 {
		fmt.Fprintln(os.Stderr, "benchbulk: -bare-loop API URL SHAPE DURATION")
		return 2
	}
	d, err := time.ParseDuration(args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchbulk: -bare-loop API URL SHAPE DURATION")
		return 2
	}
	r := bareLoop(context.Background(), args[0], args[1], os.Getenv("WHOP_API_KEY"), 8, d, args[2])
	fmt.Println(r.rows, r.requests)
	return 0
}
