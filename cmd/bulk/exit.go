package main

import (
	"errors"
	"fmt"

	"bulk/internal/batch"
	"bulk/internal/client"
	"bulk/internal/journal"
)

// Exit codes, as the contract defines them.
const (
	exitOK      = 0 // every row applied or skipped (plan: no row would fail)
	exitRows    = 1 // finished; some rows failed or are unknown (plan: some would fail)
	exitInput   = 2 // usage or input error; nothing was sent
	exitStopped = 3 // stopped early; run again to continue
)

// usageError is a mistake on the command line or in the input file.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// exitCode is the one place that maps how a run ended to its exit code.
// rowsBad says whether any row failed or is unknown (plan: would fail).
func exitCode(err error, rowsBad bool) int {
	var ue *usageError
	var le *journal.LockedError
	var fe *batch.FatalError
	var me *apiMismatchError
	switch {
	case err == nil && rowsBad:
		return exitRows
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.As(err, &me):
		return exitInput
	case errors.As(err, &fe) && client.KindOf(fe.Err) == client.BadVersion:
		return exitInput // a flag or WHOP_API_VERSION to change; nothing was applied
	case errors.As(err, &le), errors.As(err, &fe),
		errors.Is(err, batch.ErrInterrupted), errors.Is(err, batch.ErrTooManyFailures):
		return exitStopped
	}
	// Anything else (the journal or the report could not be written, the
	// input changed under us) also stops the run before its end.
	return exitStopped
}

// apiMismatchError: the campaign was started on another API or version.
type apiMismatchError struct {
	campaign, api, version string
}

func (e *apiMismatchError) Error() string {
	return fmt.Sprintf("campaign %q was started with %s; a campaign keeps the API and version of its first run", e.campaign, e.started())
}

func (e *apiMismatchError) started() string {
	if e.api == "v2" {
		return "--api v2"
	}
	return "--api " + e.api + " --api-version " + e.version
}

func (e *apiMismatchError) hint() string {
	return "run it with " + e.started() + ", or start a new campaign with --campaign NAME"
}
