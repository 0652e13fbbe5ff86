package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestHelpAndMistakes: each way of asking for help prints it and exits 0;
// each mistake on the command line exits 2 with a message and a hint that
// say how to do it right.
func TestHelpAndMistakes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    map[string]string
		code   int
		stdout string // in stdout
		stderr string // in stderr, message and hint alike
	}{
		{"-h", []string{"-h"}, nil, 0, "usage: bulk [flags] FILE", ""},
		{"--version", []string{"--version"}, nil, 0, "bulk " + version + " (", ""},
		{"--help", []string{"--help"}, nil, 0, "usage: bulk [flags] FILE", ""},
		{"help", []string{"help"}, nil, 0, "usage: bulk [flags] FILE", ""},
		{"help select", []string{"help", "select"}, nil, 0, "bulk select", ""},
		{"help settle", []string{"help", "settle"}, nil, 0, "usage: bulk settle", ""},
		{"select -h", []string{"select", "-h"}, nil, 0, "bulk select", ""},
		{"settle -h", []string{"settle", "-h"}, nil, 0, "usage: bulk settle", ""},
		{"help on nothing", []string{"help", "frobnicate"}, nil, 2, "", `no help on "frobnicate"`},
		{"misspelt flag", []string{"--simualte", "x.csv"}, nil, 2, "", "unknown flag --simualte\nbulk: hint: did you mean --simulate?"},
		{"misspelt flag, one dash", []string{"-simualte", "x.csv"}, nil, 2, "", "unknown flag --simualte"},
		{"flag of another word", []string{"--frobnicate", "x.csv"}, nil, 2, "", "unknown flag --frobnicate\nbulk: hint: bulk --help shows the flags"},
		{"misspelt select flag", []string{"select", "--stauts", "active"}, nil, 2, "", "did you mean --status?"},
		{"misspelt settle flag", []string{"settle", "--aplied", "mem_1", "x.csv"}, nil, 2, "", "did you mean --applied?"},
		{"duration without unit", []string{"--timeout", "5", "x.csv"}, nil, 2, "", `--timeout "5" is not a duration` + "\nbulk: hint: for example --timeout 30s"},
		{"number that is not", []string{"--concurrency", "eight", "x.csv"}, nil, 2, "", `--concurrency "eight" is not a whole number` + "\nbulk: hint: for example --concurrency 8"},
		{"rate that is not", []string{"--rate", "fast", "x.csv"}, nil, 2, "", `--rate "fast" is not a number`},
		{"flag without its value", []string{"x.csv", "--quiet-period"}, nil, 2, "", "--quiet-period needs a value\nbulk: hint: give it one, for example --quiet-period 1m0s"},
		{"no key", []string{"../../testdata/campaign.csv"}, map[string]string{"BULK_STATE": "STATE"}, 2, "",
			"WHOP_API_KEY is not set; nothing was sent\nbulk: hint: export WHOP_API_KEY=... (an API key of the business, with the member:basic:read and member:manage scopes), or rehearse with --simulate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := t.TempDir()
			e := env{getenv: func(k string) string {
				if v := tt.env[k]; v == "STATE" {
					return state
				}
				return tt.env[k]
			}}
			var out, errb bytes.Buffer
			code := run(context.Background(), append([]string(nil), tt.args...), e, &out, &errb)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, errb.String())
			}
			if !strings.Contains(out.String(), tt.stdout) {
				t.Errorf("stdout does not say %q:\n%s", tt.stdout, out.String())
			}
			if !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.stderr, errb.String())
			}
			if tt.code == 0 && errb.Len() > 0 {
				t.Errorf("help wrote to stderr:\n%s", errb.String())
			}
		})
	}
}
