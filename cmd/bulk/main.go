// Command bulk applies a compensation campaign — free days or metadata —
// to every membership listed in a CSV or JSONL file, through Whop's API
// (the Current API, or v2 with --api v2), at the API's pace, resumably.
// See README.md.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// memoryLimit is a soft limit for the Go heap: a million-row campaign's
// indexes are long-lived, and without it the collector's headroom alone
// would double the memory they take. GOMEMLIMIT overrides it.
const memoryLimit = 48 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	// A reader of stdout or stderr that goes away (bulk ... | head -0, a
	// closed terminal) must not kill a campaign half done: once SIGPIPE is
	// notified, a write to a broken pipe on fd 1 or 2 fails with EPIPE
	// instead of killing the process (see os/signal, "SIGPIPE"; Ignore alone
	// does not say so), and bulk ignores failed writes to stdout and
	// stderr. The journal and the report are still written.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, stopSignals()...)
	// On a terminal the bar holds the cursor's line: the message starts a
	// line of its own.
	nl := ""
	if systemEnv().terminal {
		nl = "\n"
	}
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, nl+"bulk: stopping: no new rows; requests in flight may finish, then the report is written (signal again to stop at once)")
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, nl+"bulk: stopped at once; the journal is consistent: run the same command again to continue")
		os.Exit(exitStopped)
	}()
	os.Exit(run(ctx, os.Args[1:], systemEnv(), os.Stdout, os.Stderr))
}

// stopSignals end a run as Ctrl-C does: SIGINT, SIGTERM, and SIGHUP (a
// closed terminal or session), which would otherwise kill bulk silently
// and leave an older report that looks current. A SIGHUP ignored from the
// start (nohup) stays ignored.
func stopSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}
