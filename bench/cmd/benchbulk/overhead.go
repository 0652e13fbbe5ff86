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
// simulator with no limit, compared with the requests per second a bare
// keep-alive loop of 8 goroutines gets from the same server.
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
	b.note("overhead", "bare loop: 8 goroutines, one keep-alive net/http client, GET /api/v2/memberships/{id}, 3 s, right before each bulk run on the same server")
	b.note("overhead", "rows/s is over the whole process (start, validating the file, the run, writing the report); the engine's own time is from the summary")
	return nil
}

func (b *bench) overheadOf(ctx context.Context, kind string, n int) error {
	file, err := b.rowsFile(kind, n)
	if err != nil {
		return err
	}
	var rowRatios, reqRatios, bares, bareCPUs, posts, outsides, rowRates, engineRates, cpus, simCPUs []float64
	for i := range b.cfg.runs {
		s, err := startSim(whopsim.Config{NoLimit: true, NoLog: true})
		if err != nil {
			return err
		}
		cpu0 := selfCPU()
		bare := bareLoop(ctx, s.url, s.key, 8, 3*time.Second, http.MethodGet)
		bareCPUs = append(bareCPUs, float64((selfCPU()-cpu0).Microseconds())/(bare*3))
		posts = append(posts, bareLoop(ctx, s.url, s.key, 8, 3*time.Second, http.MethodPost))
		outside, err := bareLoopProcess(ctx, s, 3*time.Second, http.MethodGet)
		if err != nil {
			return err
		}
		outsides = append(outsides, outside)
		b.progress("overhead: %s run %d of %d: bare loop %.0f req/s; bulk on %d rows", kind, i+1, b.cfg.runs, bare, n)
		simCPU := selfCPU()
		r, err := b.runBulk(ctx, bulkSpec{file: file, sim: s, args: []string{"--api-limit", "none"}, tag: fmt.Sprintf("overhead%d", i)})
		simCPU = selfCPU() - simCPU
		s.close()
		if err != nil {
			return err
		}
		if r.exit != 0 {
			return fmt.Errorf("bulk exited %d on %s\n%s", r.exit, file, tail(r.stderr, 2000))
		}
		rows := float64(n) / secs(r.wall)
		reqs := float64(r.summary.RequestsSent) / secs(r.wall)
		bares = append(bares, bare)
		rowRates = append(rowRates, rows)
		engineRates = append(engineRates, float64(n)/r.summary.DurationSeconds)
		cpus = append(cpus, float64(r.cpu.Microseconds())/float64(n))
		simCPUs = append(simCPUs, float64(simCPU.Microseconds())/float64(n))
		rowRatios = append(rowRatios, rows/bare)
		reqRatios = append(reqRatios, reqs/bare)
		b.progress("overhead: %s: %.0f rows/s (%.0f req/s) over %.2f s, engine %.0f rows/s, %d requests",
			kind, rows, reqs, secs(r.wall), float64(n)/r.summary.DurationSeconds, r.summary.RequestsSent)
	}
	label := "metadata (1 request a row)"
	if kind == daysRows {
		label = "add free days (GET + POST a row)"
	}
	sc := "overhead"
	b.info(sc, label+": bare loop req/s", num(best(bares, false)), bares, "")
	if kind == metadataRows {
		b.info(sc, "for comparison: bare loop CPU per request, client and server together", num(best(bareCPUs, true))+" µs", bareCPUs, " µs")
		b.info(sc, "for comparison: bare loop of POST metadata req/s", num(best(posts, false)), posts, "")
		b.info(sc, "for comparison: bare loop of GET in a separate process req/s", num(best(outsides, false)), outsides, "")
	}
	b.info(sc, label+": bulk rows/s, whole process", num(best(rowRates, false)), rowRates, "")
	b.info(sc, label+": bulk CPU (user + system) per row", num(best(cpus, true))+" µs", cpus, " µs")
	b.info(sc, label+": simulator CPU per row, meanwhile", num(best(simCPUs, true))+" µs", simCPUs, " µs")
	b.info(sc, label+": bulk rows/s, engine only", num(best(engineRates, false)), engineRates, "")
	b.check(sc, label+": rows/s ÷ bare req/s", best(rowRatios, false), "", true, 0.5, rowRatios)
	b.check(sc, label+": requests/s ÷ bare req/s", best(reqRatios, false), "", true, 0.5, reqRatios)
	return nil
}

// bareLoop is the request rate of workers goroutines sending requests
// over keep-alive connections as fast as the server answers, for d: GET
// /memberships/{id}, or POST /memberships/{id} with a metadata object.
func bareLoop(ctx context.Context, url, key string, workers int, d time.Duration, method string) float64 {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.MaxIdleConnsPerHost = workers
	hc := &http.Client{Transport: t}
	defer t.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var done atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := range workers {
		wg.Go(func() {
			for i := w; ctx.Err() == nil; i += workers {
				var body io.Reader
				if method == http.MethodPost {
					body = strings.NewReader(`{"metadata":{"comp_campaign":"bench"}}`)
				}
				req, _ := http.NewRequestWithContext(ctx, method, fmt.Sprintf("%s/memberships/mem_B%08d", url, i%10_000), body)
				req.Header.Set("Authorization", "Bearer "+key)
				if body != nil {
					req.Header.Set("Content-Type", "application/json")
				}
				resp, err := hc.Do(req)
				if err != nil {
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode < 300 {
					done.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return float64(done.Load()) / time.Since(start).Seconds()
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
func bareLoopProcess(ctx context.Context, s *sim, d time.Duration, method string) (float64, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, err
	}
	cmd := command(self, bareLoopFlag, s.url, method, d.String())
	cmd.Env = append(cmd.Env, "WHOP_API_KEY="+s.key)
	out, err := cmd.Output()
	if err != nil {
		return 0, fmt.Errorf("bare loop process: %w", err)
	}
	var rate float64
	_, err = fmt.Sscan(string(out), &rate)
	return rate, err
}

// bareLoopMain is the child of bareLoopProcess: URL METHOD DURATION.
func bareLoopMain(args []string) int {
	if len(args) != 3 {
		fmt.Fprintln(os.Stderr, "benchbulk: -bare-loop URL METHOD DURATION")
		return 2
	}
	d, err := time.ParseDuration(args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchbulk: -bare-loop URL METHOD DURATION")
		return 2
	}
	fmt.Println(bareLoop(context.Background(), args[0], os.Getenv("WHOP_API_KEY"), 8, d, args[1]))
	return 0
}
