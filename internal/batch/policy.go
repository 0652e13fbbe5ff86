package batch

import "time"

// The failure policy: what is retried, how often, and what ends a row or
// the run. The README carries the same table.
//
//	what happens                        add free days                          update metadata
//	----------------------------------  -------------------------------------  ------------------------------
//	429 rate limited                    every worker pauses (Retry-After, else  same
//	                                    the cooldown), pace halves; the
//	                                    request is sent again, up to
//	                                    maxLimited times
//	not sent (refused connection, DNS)  retried DefaultRetries times, backoff  same
//	                                    DefaultBackoff doubling, ±50% jitter;
//	                                    then failed
//	5xx, timeout, dropped after         never resent blind: after             retried DefaultRetries times
//	sending (outcome unknown)           DefaultSettleDelay the membership is   with backoff and jitter (twice
//	                                    read back and compared with the state  is harmless); then unknown
//	                                    read before: applied, or not applied
//	                                    and sent again (DefaultRetries times
//	                                    at most), or unknown
//	400, 404, 409, 422                  failed, with the API's message         same
//	401, 403                            the run stops at once (FatalError)     same
//	reading a membership fails          retried DefaultRetries times with      (not read)
//	                                    backoff; then failed, nothing sent
//	more than MaxFailures rows failed   the run stops (ErrTooManyFailures)     same
//	in this run
//
// A stopped run lets requests in flight finish for DefaultGrace, records
// their outcomes, and reports the rows it did not try as pending.
const (
	DefaultRetries     = 3
	DefaultBackoff     = time.Second
	DefaultSettleDelay = 5 * time.Second
	DefaultQuietPeriod = time.Minute
	DefaultGrace       = 10 * time.Second
	// maxLimited bounds how often one request is refused with 429 before
	// its row gives up; each 429 already cost every worker a pause.
	maxLimited = 10
)
