package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"bulk/internal/batch"
	"bulk/internal/journal"
)

const settleUsage = `usage: bulk settle FILE --applied ID[,ID...] | --not-applied ID[,ID...]

Record what you found by checking memberships by hand, for rows of FILE's
campaign whose free days bulk reported unknown: --applied (never sent
again; reported applied) or --not-applied (the next run sends them). Only
rows in doubt can be settled so. --campaign, --state, --simulate and --api
name the campaign as they do for a run.
`

// settleOptions is what `bulk settle` takes.
type settleOptions struct {
	file, campaign, state, api string
	simulate                   bool
	applied, notApplied        string
}

// runSettle is `bulk settle`: it returns the exit code.
func runSettle(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	ui := newUI(stderr, "text", false, nil)
	o, err := parseSettle(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stdout, settleUsage)
		return exitOK
	}
	if err != nil {
		printError(ui, err, "bulk settle --help")
		return exitInput
	}
	if err := settle(o, getenv, stdout); err != nil {
		ui.errorf("%v", err)
		var le *journal.LockedError
		if errors.As(err, &le) {
			return exitStopped
		}
		return exitInput
	}
	return exitOK
}

func parseSettle(args []string) (*settleOptions, error) {
	o := &settleOptions{}
	fs := flag.NewFlagSet("bulk settle", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.applied, "applied", "", "memberships found extended")
	fs.StringVar(&o.notApplied, "not-applied", "", "memberships found not extended")
	fs.StringVar(&o.campaign, "campaign", "", "the campaign (default: FILE's base name)")
	fs.StringVar(&o.state, "state", "", "the state directory (default: as for a run)")
	fs.StringVar(&o.api, "api", "current", "with --simulate: the simulated campaign of this API")
	fs.BoolVar(&o.simulate, "simulate", false, "the simulated campaign of FILE")
	fs.Usage = func() {}
	var files []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		files, args = append(files, fs.Arg(0)), fs.Args()[1:]
	}
	switch {
	case len(files) != 1:
		return nil, errors.New("bulk settle takes one FILE, the campaign's input")
	case o.applied == "" && o.notApplied == "":
		return nil, errors.New("say what you found: --applied or --not-applied")
	}
	o.file = files[0]
	return o, nil
}

// settle records each membership's outcome in the campaign's journal.
func settle(o *settleOptions, getenv func(string) string, stdout io.Writer) error {
	campaign := campaignName(o.file, o.campaign, simulatedTag(o.simulate, o.api)) // as a run names it
	state := o.state
	if state == "" {
		state, _ = defaultState(o.file, campaign, getenv)
	}
	if o.simulate {
		state = filepath.Join(state, "simulated") // as a simulated run keeps it
	}
	if _, ok, err := journal.Origin(state, campaign); err != nil || !ok {
		return fmt.Errorf("campaign %q has no journal in %s: %v", campaign, state, err)
	}
	j, err := journal.Open(state, campaign, journal.Options{})
	if err != nil {
		return err
	}
	defer j.Close()
	run := "settle-" + newRunID()
	var errs []error
	for _, as := range []struct {
		ids     string
		applied bool
	}{{o.applied, true}, {o.notApplied, false}} {
		for _, id := range strings.Split(as.ids, ",") {
			if id = strings.TrimSpace(id); id == "" {
				continue
			}
			out, err := batch.SettleByHand(j, run, id, as.applied)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			fmt.Fprintf(stdout, "%s: %s\n", id, out.Err)
		}
	}
	return errors.Join(errs...)
}
