// Command bulk applies a compensation campaign — free days or metadata —
// to every membership listed in a CSV or JSONL file, through the Whop v2
// API, at the API's pace, resumably. See README.md.
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
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "bulk: stopping: no new rows; requests in flight may finish, then the report is written (signal again to stop at once)")
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "bulk: stopped at once; the journal is consistent: run the same command again to continue")
		os.Exit(exitStopped)
	}()
	os.Exit(run(ctx, os.Args[1:], systemEnv(), os.Stdout, os.Stderr))
}
