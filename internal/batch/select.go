package batch

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"bulk/internal/client"
)

// Select lists every membership that f matches, one page after another at
// the pace of client.OpList (the Current API's list budget of 600 a
// minute, v2's shared 100 per 10 s), and calls each once per membership:
// a membership listed again on a later page (the listing moved while it
// was read) is passed on only the first time. Only Pace, Retries and
// BaseBackoff of opts are used.
//
// Listing changes nothing, so a page whose request failed without an
// answer (5xx, timeout, not sent) is asked for again, Retries times with
// backoff; a 429 pauses the operation for its wait (at most MaxPause),
// lowers the pace and asks again, up to maxLimited times for one page. A
// 401 or 403 is a FatalError. Select keeps no state: running it again
// starts the listing over.
func Select(ctx context.Context, api client.API, f client.ListFilter, opts Options, each func(client.Membership) error) error {
	opts = opts.withDefaults()
	pace := newPacers(opts.Pace, api.Dialect())[client.OpList]
	seen := make(map[string]struct{})
	cursors := make(map[string]struct{})
	after := ""
	for {
		page, err := listPage(ctx, api, pace, f, after, opts)
		if err != nil {
			return err
		}
		for _, m := range page.Memberships {
			if _, dup := seen[m.ID]; dup {
				continue
			}
			seen[m.ID] = struct{}{}
			if err := each(m); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		// A cursor met before would list the same pages for ever.
		if _, again := cursors[page.Next]; again {
			return fmt.Errorf("the listing came back to a page it had already listed (cursor %q); stopped", page.Next)
		}
		cursors[page.Next] = struct{}{}
		after = page.Next
	}
}

// listPage asks for one page, retrying what can be retried.
func listPage(ctx context.Context, api client.API, pace *pacer, f client.ListFilter, after string, opts Options) (client.Page, error) {
	for try, limited := 0, 0; ; {
		if err := pace.Wait(ctx); err != nil {
			return client.Page{}, ErrInterrupted
		}
		page, err := api.List(ctx, f, after)
		if err == nil {
			pace.Succeeded()
			return page, nil
		}
		if ctx.Err() != nil {
			return client.Page{}, ErrInterrupted
		}
		ce := asClientError(err)
		switch ce.Kind {
		case client.RateLimited:
			pace.RateLimited(ce.RetryAfter)
			if limited++; limited <= maxLimited {
				continue
			}
			return client.Page{}, fmt.Errorf("list memberships: still rate limited after %d pauses: %w", maxLimited, err)
		case client.Fatal, client.BadVersion:
			return client.Page{}, &FatalError{Err: err}
		case client.Permanent:
			return client.Page{}, fmt.Errorf("list memberships: %w", err)
		}
		if try >= opts.Retries {
			return client.Page{}, fmt.Errorf("list memberships: gave up after %d tries: %w", try+1, err)
		}
		d := jittered(opts.BaseBackoff << try)
		if sleepCtx(ctx, d) != nil {
			return client.Page{}, ErrInterrupted
		}
		try++
	}
}

// jittered is d with ±50% jitter, as the engine's backoff.
func jittered(d time.Duration) time.Duration {
	return time.Duration(float64(d) * (0.5 + rand.Float64()))
}
