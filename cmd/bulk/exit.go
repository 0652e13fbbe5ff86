package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

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
	var fx *fixError
	switch {
	case err == nil && rowsBad:
		return exitRows
	case err == nil:
		return exitOK
	case errors.As(err, &ue), errors.As(err, &me):
		return exitInput
	case errors.As(err, &fx) && fx.sent:
		return exitStopped // the report of what was sent matters; fixed, a run continues
	case errors.As(err, &fx):
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

// fixError stops a run that running the same command again cannot help:
// something must be fixed first, and hint says what. Nothing was sent
// before it (exit 2) unless sent says that changes may have been (exit 3:
// once it is fixed, running again continues the campaign).
type fixError struct {
	err  error
	hint string
	sent bool
}

func (e *fixError) Error() string { return e.err.Error() }
func (e *fixError) Unwrap() error { return e.err }

// needsFix turns an error that would recur on every run as it is — a
// corrupt journal, a file or directory bulk may not write — into a
// fixError saying what to do; sent says whether changes may have been sent
// before it. Other errors are returned as they are.
func needsFix(err error, sent bool) error {
	var ce *journal.CorruptError
	var se *journal.UnsafeError
	var pe *fs.PathError
	var fx *fixError
	var ue *usageError
	switch {
	case err == nil, errors.As(err, &fx), errors.As(err, &ue):
		return err
	case errors.As(err, &se):
		// The message says what to do; the hint says why it matters.
		return &fixError{err, "another user could change this file or directory, and with it what bulk remembers of the campaign", sent}
	case errors.As(err, &ce):
		return &fixError{err, fmt.Sprintf("inspect %s at line %d: bulk never rewrites a journal, so every run stops there until the file is repaired", ce.Path, ce.Line), sent}
	case notWritable(err) && errors.As(err, &pe):
		return &fixError{err, fmt.Sprintf("%s must be writable by the user running bulk (or choose another place with --state DIR or --report PATH)", writableTarget(pe)), sent}
	}
	return err
}

// notWritable: permission denied, or a read-only file system.
func notWritable(err error) bool {
	return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
}

// writableTarget is what must be made writable for the operation that
// failed: the directory that was to hold a new file or directory, else the
// file (or directory) itself when it exists.
func writableTarget(pe *fs.PathError) string {
	if pe.Op != "mkdir" && pe.Op != "createtemp" {
		if _, err := os.Stat(pe.Path); err == nil {
			return pe.Path
		}
	}
	return filepath.Dir(pe.Path)
}
