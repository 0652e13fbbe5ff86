package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"bulk/internal/input"
)

// parseFlags parses args with fs, turning what package flag says into a
// message for a person: the flag as it is documented (--name), a
// suggestion for a misspelt one, an example of a valid value.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return flagError(fs, err)
}

var (
	unknownFlag  = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	missingValue = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
	badValue     = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for flag -+(\S+): (.*)$`)
)

// printError prints a command-line mistake: the message, then its hint,
// or the way to the help.
func printError(u *ui, err error, help string) {
	u.errorf("%v", err)
	var fx *fixError
	if errors.As(err, &fx) {
		u.hint(fx.hint)
		return
	}
	u.hint(help + " shows the flags")
}

func flagError(fs *flag.FlagSet, err error) error {
	msg := err.Error()
	if m := unknownFlag.FindStringSubmatch(msg); m != nil {
		hint := fs.Name() + " --help shows the flags"
		if s := closestFlag(fs, m[1]); s != "" {
			hint = "did you mean --" + s + "? (" + hint + ")"
		}
		return &fixError{err: fmt.Errorf("unknown flag --%s", m[1]), hint: hint}
	}
	if m := missingValue.FindStringSubmatch(msg); m != nil {
		return &fixError{err: fmt.Errorf("--%s needs a value", m[1]), hint: "give it one, for example --" + m[1] + " " + example(fs, m[1])}
	}
	if m := badValue.FindStringSubmatch(msg); m != nil {
		value, name, why := m[1], m[2], m[3]
		if why != "parse error" && why != "value out of range" {
			return &usageError{why} // a flag's own check says it all
		}
		return &fixError{err: fmt.Errorf("--%s %q is not %s", name, value, valueKind(fs, name)),
			hint: "for example --" + name + " " + example(fs, name)}
	}
	return &usageError{msg}
}

// valueKind names what a flag's value must be, as a person says it.
func valueKind(fs *flag.FlagSet, name string) string {
	switch typeOf(fs, name) {
	case "duration":
		return "a duration"
	case "int":
		return "a whole number"
	case "float":
		return "a number"
	case "bool":
		return "true or false"
	}
	return "a valid value"
}

// example is a valid value of a flag, for a hint: its default when it has
// one worth showing.
func example(fs *flag.FlagSet, name string) string {
	f := fs.Lookup(name)
	typ := typeOf(fs, name)
	if f != nil && f.DefValue != "" && f.DefValue != "0" && f.DefValue != "-1" && typ != "string" && typ != "bool" {
		if typ == "duration" {
			return f.DefValue + " (units: ms, s, m, h, e.g. 90s or 1h30m)"
		}
		return f.DefValue
	}
	switch typ {
	case "duration":
		return "30s (units: ms, s, m, h, e.g. 90s or 1h30m)"
	case "int":
		return "10"
	case "float":
		return "9.5"
	case "bool":
		return "true"
	}
	return "VALUE"
}

func typeOf(fs *flag.FlagSet, name string) string {
	f := fs.Lookup(name)
	if f == nil {
		return ""
	}
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return "bool"
	}
	typ, _ := flag.UnquoteUsage(f)
	return typ
}

// closestFlag is the defined flag nearest to a misspelt name: at most two
// edits away, or the only flag it is a prefix of.
func closestFlag(fs *flag.FlagSet, name string) string {
	best, bestD := "", 3
	var prefixed []string
	fs.VisitAll(func(f *flag.Flag) {
		if d := input.EditDistance(strings.ToLower(name), f.Name); d < bestD {
			best, bestD = f.Name, d
		}
		if len(name) >= 2 && strings.HasPrefix(f.Name, name) {
			prefixed = append(prefixed, f.Name)
		}
	})
	if best == "" && len(prefixed) == 1 {
		return prefixed[0]
	}
	return best
}

// runHelp is `bulk help [select|settle]`.
func runHelp(ctx context.Context, args []string, e env, stdout, stderr io.Writer) int {
	topic := ""
	if len(args) > 0 {
		topic = args[0]
	}
	switch topic {
	case "select", "settle":
		return run(ctx, []string{topic, "--help"}, e, stdout, stderr)
	case "":
		return run(ctx, []string{"--help"}, e, stdout, stderr)
	}
	printError(newUI(stderr, "text", false, nil), &usageError{fmt.Sprintf("no help on %q: try bulk help, bulk help select or bulk help settle", topic)}, "bulk --help")
	return exitInput
}
