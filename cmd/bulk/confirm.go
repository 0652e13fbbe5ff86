package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"bulk/internal/batch"
	"bulk/internal/client"
	"bulk/internal/input"
)

// confirm asks before a run sends anything, when someone is there to
// answer: stdin is a terminal, and neither --yes nor --simulate was given.
// It shows the business the key acts on (read from the API, on one
// membership of the file), the operations, the memberships, the free days
// and the API, then asks "Apply? [y/N]". It returns false when the answer
// is anything but y or yes: nothing has been changed then, and the run
// ends with exit 0.
//
// A simulated run does not ask: it changes nothing outside the simulator
// that it starts for itself, so there is nothing to confirm, and a
// rehearsal should go through as the real run would without a terminal.
// Without a terminal on stdin (cron, a pipe) nobody could answer: bulk
// never asks there.
func (c *command) confirm(ctx context.Context, api client.API) (bool, error) {
	o := c.o
	if o.yes || o.simulate || !c.env.stdinTerm || c.env.stdin == nil || c.scan.Rows == 0 {
		return true, nil
	}
	business, err := c.business(ctx, api)
	if err != nil {
		return false, err
	}
	w := c.stderr
	where := ""
	if o.sandbox {
		where = " in the SANDBOX"
		business = "SANDBOX: " + business
	}
	fmt.Fprintf(w, "bulk is about to change memberships%s:\n", where)
	fmt.Fprintf(w, "  business     %s\n", business)
	label := "operation"
	if n := c.scan.PerAction[input.AddFreeDays]; n > 0 {
		fmt.Fprintf(w, "  %-11s  add free days (%d rows)\n", label, n)
		label = ""
	}
	if n := c.scan.PerAction[input.UpdateMetadata]; n > 0 {
		mode := "merge: the row's keys are set, the membership's other keys kept"
		if o.metadata == "replace" {
			mode = "replace: the metadata becomes exactly the row's object"
		}
		fmt.Fprintf(w, "  %-11s  set metadata, --metadata %s (%d rows)\n", label, mode, n)
	}
	fmt.Fprintf(w, "  memberships  %d\n", c.scan.Memberships)
	fmt.Fprintf(w, "  free days    %d in all\n", c.scan.Days)
	apiDesc := o.api
	if v := c.version(); v != "" {
		apiDesc += ", Api-Version-Date " + v
	}
	fmt.Fprintf(w, "  api          %s, %s\n", apiDesc, c.baseURL())
	fmt.Fprintf(w, "  campaign     %s (rows that earlier runs of it applied are not sent again)\n", o.campaign)
	fmt.Fprint(w, "Apply? [y/N] ")

	answer, err := readAnswer(ctx, c.env.stdin)
	switch a := strings.ToLower(strings.TrimSpace(answer)); {
	case err == nil && (a == "y" || a == "yes"):
		return true, nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintln(w)
		c.notConfirmed("interrupted")
	case err != nil:
		fmt.Fprintln(w) // EOF: the cursor is still after the question
		c.notConfirmed("no answer")
	default:
		c.notConfirmed(fmt.Sprintf("answer %q", truncate(answer, 20)))
	}
	return false, nil
}

// notConfirmed says in one line that the run ends without a change.
func (c *command) notConfirmed(why string) {
	msg := "not confirmed (" + why + "); nothing was changed"
	if c.ui.json {
		c.ui.info(msg)
		return
	}
	fmt.Fprintln(c.stderr, "bulk: "+msg)
}

// business names the business the key acts on, as the API tells it when
// reading the first membership of the file: "Title (biz_id)". Only a
// refused key or API version ends the run (every request would be refused
// alike); any other failure leaves it unknown, and the operator decides.
func (c *command) business(ctx context.Context, api client.API) (string, error) {
	if c.o.api == "v2" {
		return "unknown (v2 has no account)", nil
	}
	id, err := c.firstMembership()
	if err != nil {
		return "", err
	}
	m, err := api.Get(ctx, id)
	switch k := client.KindOf(err); {
	case k == client.Fatal, k == client.BadVersion:
		return "", &batch.FatalError{Err: err}
	case err != nil:
		return fmt.Sprintf("unknown (reading %s: %v)", id, printable(err.Error())), nil
	case m == nil || m.Account == "" && m.AccountTitle == "":
		return fmt.Sprintf("unknown (the API did not say, reading %s)", id), nil
	case m.AccountTitle == "":
		return printable(m.Account) + " (no title)", nil
	}
	return fmt.Sprintf("%s (%s)", printable(m.AccountTitle), printable(cmp.Or(m.Account, "no id"))), nil
}

// firstMembership is the membership ID of the file's first row.
func (c *command) firstMembership() (string, error) {
	rows, err := c.scan.Open()
	if err != nil {
		return "", err
	}
	defer rows.Close()
	r, err := rows.Next()
	if err != nil {
		return "", fmt.Errorf("read %s: %w", c.o.file, err)
	}
	return r.MembershipID, nil
}

// maxAnswer bounds what is read for an answer.
const maxAnswer = 256

// readAnswer reads one line from r, at most maxAnswer bytes; an error is
// io.EOF (nothing was typed) or ctx's (Ctrl-C while waiting). A read of
// the real stdin cannot be cancelled: its goroutine is left to the
// process's exit.
func readAnswer(ctx context.Context, r io.Reader) (string, error) {
	type line struct {
		s   string
		err error
	}
	ch := make(chan line, 1)
	go func() {
		s, err := bufio.NewReaderSize(io.LimitReader(r, maxAnswer), 16).ReadString('\n')
		if err == io.EOF && s != "" {
			err = nil // an answer without a newline is an answer
		}
		ch <- line{s, err}
	}()
	select {
	case l := <-ch:
		return l.s, l.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// printable keeps text from the API or the operator from moving the
// cursor or colouring the terminal: control characters become '?'.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || (!unicode.IsPrint(r) && r != ' ') {
			return '?'
		}
		return r
	}, s)
}

// truncate keeps the first n characters of s, trimmed.
func truncate(s string, n int) string {
	r := []rune(printable(strings.TrimSpace(s)))
	if len(r) > n {
		return string(r[:n]) + "..."
	}
	return string(r)
}

// baseURL is where requests go: --base-url, else WHOP_BASE_URL, else the
// API's own (the sandbox's with --sandbox), as connect and client.New pick.
func (c *command) baseURL() string {
	def := client.CurrentBaseURL
	switch {
	case c.o.api == "v2":
		def = client.V2BaseURL
	case c.o.sandbox:
		def = client.SandboxBaseURL
	}
	return cmp.Or(c.o.baseURL, c.env.getenv("WHOP_BASE_URL"), def)
}
