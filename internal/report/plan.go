package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Planned is the state a plan read for one row.
type Planned struct {
	MembershipID     string
	PeriodEnd        *int64 // the plan's previous_period_end
	MembershipStatus string
}

// ReadPlan reads the rows of a plan report (CSV, or JSON lines for a
// .jsonl path), by input line.
func ReadPlan(path string) (map[int]Planned, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	defer f.Close()
	rows := map[int]Planned{}
	add := func(cell func(string) string) error {
		line, err := strconv.Atoi(cell("line"))
		if err != nil {
			return fmt.Errorf("line %q: %w", cell("line"), err)
		}
		p := Planned{MembershipID: cell("membership_id"), MembershipStatus: cell("membership_status")}
		if v := cell("previous_period_end"); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return fmt.Errorf("line %d: previous_period_end %q: %w", line, v, err)
			}
			p.PeriodEnd = new(t.Unix())
		}
		rows[line] = p
		return nil
	}
	if filepath.Ext(path) == ".jsonl" {
		err = readPlanJSONL(f, add)
	} else {
		err = readPlanCSV(f, add)
	}
	if err != nil {
		return nil, fmt.Errorf("read plan %s: %w", path, err)
	}
	return rows, nil
}

func readPlanCSV(r io.Reader, add func(func(string) string) error) error {
	cr := csv.NewReader(bufio.NewReader(r))
	head, err := cr.Read()
	if err != nil {
		return err
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		cell := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return unneutralise(rec[i])
			}
			return ""
		}
		if err := add(cell); err != nil {
			return err
		}
	}
}

// unneutralise undoes the quote neutralise puts before a cell that a
// spreadsheet would take for a formula; plans hold none in the columns
// read, so this only keeps a membership id exact.
func unneutralise(s string) string {
	if len(s) > 1 && s[0] == '\'' {
		switch s[1] {
		case '=', '+', '-', '@', '\t', '\r':
			return s[1:]
		}
	}
	return s
}

func readPlanJSONL(r io.Reader, add func(func(string) string) error) error {
	dec := json.NewDecoder(r)
	for {
		var m map[string]any
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		cell := func(name string) string {
			switch v := m[name].(type) {
			case string:
				return v
			case float64:
				return strconv.FormatFloat(v, 'f', -1, 64)
			}
			return ""
		}
		if err := add(cell); err != nil {
			return err
		}
	}
}
