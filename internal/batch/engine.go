package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"bulk/internal/client"
	"bulk/internal/input"
	"bulk/internal/journal"
	"bulk/internal/report"
)

// Options configure a run.
type Options struct {
	Campaign    string
	RunID       string
	InputSHA256 string         // identity of the input file, recorded with every row
	Concurrency int            // requests in flight at most (default 8)
	Pace        Pace           // per operation, or for all of them where the API has one shared limit
	Dialect     client.Dialect // the API's, when there is no API to ask (an offline plan)
	// ReplaceMetadata: a metadata row's object becomes the membership's
	// whole metadata (--metadata replace). Otherwise its keys are merged in.
	ReplaceMetadata bool
	// Ledger is the state directory's record of the memberships its
	// campaigns extended; nil: none is kept (tests). A membership another
	// campaign extended is skipped unless AllowRepeat.
	Ledger      *journal.Ledger
	AllowRepeat bool
	// RetryFailed sends again rows that an earlier run saw fail for good
	// (400, 404, 409, 422); without it they are reported failed again,
	// as earlier outcomes, and nothing is sent.
	RetryFailed bool
	// Planned, when set, is the state a saved plan read for each input
	// line (--apply-plan): a row whose membership changed since is not
	// sent.
	Planned     map[int]report.Planned
	MaxFailures int           // stop once more than this many rows failed in this run; 0 = no limit
	SettleDelay time.Duration // wait before reading back a membership whose update has an unknown outcome (default 5s)
	// QuietPeriod is how long after a request whose outcome is unknown a
	// read must still show nothing before the request may be sent again
	// (default 1 minute): a server may apply a change well after its
	// gateway gave up.
	QuietPeriod time.Duration
	Grace       time.Duration  // how long requests in flight may finish after a stop (default 10s)
	Retries     int            // extra tries for a request that failed without effect (default 3)
	BaseBackoff time.Duration  // first backoff before such a retry (default 1s; doubles, with jitter)
	Progress    func(done int) // called after each row is settled, from one goroutine
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.SettleDelay <= 0 {
		o.SettleDelay = DefaultSettleDelay
	}
	if o.QuietPeriod <= 0 {
		o.QuietPeriod = DefaultQuietPeriod
	}
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.Retries <= 0 {
		o.Retries = DefaultRetries
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = DefaultBackoff
	}
	return o
}

// Why a run stopped early. Running again continues it.
var (
	ErrInterrupted     = errors.New("interrupted")
	ErrTooManyFailures = errors.New("too many failed rows")
)

// FatalError stops a run: the API refused the key (401/403).
type FatalError struct{ Err error }

func (e *FatalError) Error() string { return "the API refused the key: " + e.Err.Error() }
func (e *FatalError) Unwrap() error { return e.Err }

// RowSource yields rows in input order; io.EOF ends it.
type RowSource interface {
	Next() (input.Row, error)
}

// Engine applies rows. Create one per run.
type Engine struct {
	api     client.API
	dialect client.Dialect
	journal *journal.Journal
	opts    Options
	pacers  map[client.Op]*pacer
	failed  atomic.Int64

	stop      context.CancelCauseFunc
	stopCtx   context.Context // cancelled when the run stops taking rows
	reqCtx    context.Context // cancelled when requests in flight must end
	reqCancel context.CancelFunc
}

// New returns an engine that sends through api and records in j. A nil
// api plans offline.
func New(api client.API, j *journal.Journal, opts Options) *Engine {
	opts = opts.withDefaults()
	d := opts.Dialect
	if api != nil {
		d = api.Dialect()
	}
	return &Engine{api: api, dialect: d, journal: j, opts: opts, pacers: newPacers(opts.Pace, d)}
}

// pace is the pacer of an operation.
func (e *Engine) pace(op client.Op) *pacer { return e.pacers[op] }

// Run applies every row of src and hands each row's outcome to emit, in
// input order, for every row of src, including rows it did not try because
// the run stopped. It returns nil when it went through the whole input, or
// why it stopped early: ErrInterrupted, ErrTooManyFailures, a *FatalError,
// or an error reading the input or writing the journal.
func (e *Engine) Run(ctx context.Context, src RowSource, emit func(report.Row) error) error {
	e.start(ctx)
	defer e.halt(nil)
	return e.finish(feed(e, src, emit, func(row input.Row) (report.Row, func() step[report.Row]) {
		res, prior, work := e.prejudge(row)
		switch {
		case !work:
			return res, nil
		case e.stopped():
			return pendingRow(row, prior), nil
		}
		return report.Row{}, func() step[report.Row] { return e.process(row, prior) }
	}))
}

// start sets up the two ways a run ends early. When ctx is cancelled (an
// interrupt) or the run halts for another reason, no new row is taken;
// requests already sent may still finish, within the grace period.
func (e *Engine) start(ctx context.Context) {
	e.stopCtx, e.stop = context.WithCancelCause(context.WithoutCancel(ctx))
	e.reqCtx, e.reqCancel = context.WithCancel(context.WithoutCancel(ctx))
	go func() {
		select {
		case <-ctx.Done():
			e.halt(ErrInterrupted)
		case <-e.stopCtx.Done():
		}
		t := time.NewTimer(e.opts.Grace)
		defer t.Stop()
		select {
		case <-t.C:
		case <-e.reqCtx.Done():
		}
		e.reqCancel()
	}()
}

// finish returns err, or why the run stopped early.
func (e *Engine) finish(err error) error {
	if err == nil && e.stopped() {
		err = context.Cause(e.stopCtx)
	}
	e.reqCancel()
	return err
}

// step is what a row's work gives: its result, or, when next is set, the
// rest of its work, to be done no earlier than at.
type step[T any] struct {
	res  T
	next func() step[T]
	at   time.Time
}

func finished[T any](res T) step[T] { return step[T]{res: res} }

// feed reads src in order and settles each row: at once when handle
// returns no work for it, else by handing the work to a pool of
// Concurrency workers (errgroup, SetLimit), which take it from a channel.
// Work that must wait (a row whose request may yet land, see QuietPeriod)
// is handed on to one goroutine that waits for it, so that no worker
// sleeps. Results reach emit in input order.
func feed[T any](e *Engine, src RowSource, emit func(T) error, handle func(input.Row) (T, func() step[T])) error {
	type job struct {
		seq  int
		work func() step[T]
	}
	out := newReorder(emit, e.opts.Progress)
	jobs := make(chan job)
	// At most maxAhead rows (and those in the workers' hands) are
	// unsettled at once, so sends to waiting never block.
	waiting := make(chan job, maxAhead+e.opts.Concurrency+1)
	waited := make(chan struct{})
	go func() {
		defer close(waited)
		for j := range waiting {
			s := step[T]{next: j.work}
			for s.next != nil {
				sleepCtx(e.stopCtx, time.Until(s.at)) // a stop ends the wait: the rest of the work knows
				s = s.next()
			}
			out.put(j.seq, s.res)
		}
	}()
	var g errgroup.Group
	g.SetLimit(e.opts.Concurrency)
	for i := 0; i < e.opts.Concurrency; i++ {
		g.Go(func() error {
			for j := range jobs {
				s := j.work()
				if s.next != nil {
					waiting <- job{j.seq, func() step[T] { return s }}
					continue
				}
				out.put(j.seq, s.res)
			}
			return nil
		})
	}
	var err error
	for seq := 0; ; seq++ {
		row, rerr := src.Next()
		if rerr == io.EOF {
			break
		}
		if rerr == nil {
			rerr = out.wait(seq, maxAhead)
		}
		if rerr != nil {
			err = rerr
			e.halt(rerr)
			break
		}
		res, work := handle(row)
		if work == nil {
			out.put(seq, res)
			continue
		}
		jobs <- job{seq, work} // workers always drain jobs, stop or not
	}
	close(jobs)
	g.Wait()
	close(waiting)
	<-waited
	if cerr := out.close(); err == nil {
		err = cerr
	}
	return err
}

// maxAhead bounds how far the reader may run ahead of the oldest row not
// yet settled, and so the memory the reorder buffer holds.
const maxAhead = 4096

// halt stops taking new rows; the first reason wins.
func (e *Engine) halt(reason error) {
	if reason == nil {
		e.stop(context.Canceled)
		return
	}
	e.stop(reason)
}

func (e *Engine) stopped() bool { return e.stopCtx.Err() != nil }

// rowFailed counts a failed row against --max-failures.
func (e *Engine) rowFailed() {
	n := e.failed.Add(1)
	if e.opts.MaxFailures > 0 && n > int64(e.opts.MaxFailures) {
		e.halt(ErrTooManyFailures)
	}
}

func (e *Engine) fatal(err error) {
	e.halt(&FatalError{Err: err})
}

// backoff sleeps before retry n (0-based): BaseBackoff doubled each time,
// with ±50% jitter so that workers do not retry in step.
func (e *Engine) backoff(n int) error {
	d := e.opts.BaseBackoff << n
	d = time.Duration(float64(d) * (0.5 + rand.Float64()))
	return sleepCtx(e.stopCtx, d)
}

// reorder hands results to emit in input order.
type reorder[T any] struct {
	mu       sync.Mutex
	cond     *sync.Cond
	emit     func(T) error
	progress func(int)
	next     int
	held     map[int]T
	err      error
}

func newReorder[T any](emit func(T) error, progress func(int)) *reorder[T] {
	r := &reorder[T]{emit: emit, progress: progress, held: make(map[int]T)}
	r.cond = sync.NewCond(&r.mu)
	return r
}

func (r *reorder[T]) put(seq int, v T) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.held[seq] = v
	for {
		v, ok := r.held[r.next]
		if !ok {
			break
		}
		delete(r.held, r.next)
		r.next++
		if r.err == nil {
			r.err = r.emit(v)
		}
		if r.progress != nil {
			r.progress(r.next)
		}
	}
	r.cond.Broadcast()
}

// wait blocks while seq is more than ahead rows past the oldest unsettled.
// Rows in flight always settle (a stop ends them within the grace period),
// so this never waits for ever.
func (r *reorder[T]) wait(seq, ahead int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for seq-r.next >= ahead && r.err == nil {
		r.cond.Wait()
	}
	return r.err
}

func (r *reorder[T]) close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.held) > 0 && r.err == nil {
		return fmt.Errorf("internal error: %d results never reached the report", len(r.held))
	}
	return r.err
}
