package input

import (
	"fmt"
	"strconv"
)

// Problem is one reason an input file cannot be run, at a line of it.
type Problem struct {
	File string
	Line int
	Msg  string
}

// String formats the problem as FILE:LINE: message.
func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// ProblemError is a Problem met while streaming rows (Rows.Next): the file
// no longer matches what was checked.
type ProblemError struct{ Problem }

func (e *ProblemError) Error() string { return e.Problem.String() }

// ProblemKind is a kind of problem and how many problems of that kind a
// scan found: the message without what is particular to a row, such as
// "days must be a whole number from 1 to 1095".
type ProblemKind struct {
	Kind  string
	Count int
}

// fault is one thing wrong at a line: its message, and its kind (the
// message without the row's own values), by which problems are counted.
// The kinds are fixed texts, so there are few of them.
type fault struct {
	kind, msg string
}

// faultOf is a fault whose message names nothing particular to the row.
func faultOf(msg string) fault { return fault{kind: msg, msg: msg} }

// faultf is a fault of the given kind, its message formatted.
func faultf(kind, format string, args ...any) fault {
	return fault{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// tooLong is the fault of a line or record over the limit, which ends the
// reading of the file.
func tooLong(what string) fault {
	return faultOf(what + " is longer than 1 MiB; stopped reading the file here")
}

// shortQuote quotes s for a message, in ASCII (so look-alike letters show
// as escapes), cut to a readable length.
func shortQuote(s string) string {
	return strconv.QuoteToASCII(cut(s))
}

// cut shortens s to at most 40 runes, marking the cut.
func cut(s string) string {
	n := 0
	for i := range s {
		if n == 40 {
			return s[:i] + "..."
		}
		n++
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
