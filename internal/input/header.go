package input

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// knownColumns are the columns bulk reads; any other is carried.
var knownColumns = []string{"membership_id", "days", "metadata"}

// setColumns checks the header and finds the known and carried columns.
func (d *csvDecoder) setColumns(header []string) []fault {
	if len(header) == 1 && strings.Contains(header[0], ";") {
		return []fault{faultf(`header is separated by ";", not ","`,
			`header is separated by ";", not "," (found: %s); save the file as "CSV UTF-8 (Comma delimited)" or separate the columns with commas`,
			shortQuote(header[0]))}
	}
	var probs []fault
	known := map[string]string{} // known column → its name as written
	carried := map[string]bool{}
	var names []string
	var cols []int
	mapped := make([]string, len(header))
	for i, name := range header {
		col := knownColumn(name)
		switch {
		case !utf8.ValidString(name):
			probs = append(probs, faultf("header is not valid UTF-8", "header is not valid UTF-8 (column %d)", i+1))
		case name == "":
			probs = append(probs, faultf("header has an empty column name", "header has an empty column name (column %d)", i+1))
		case col != "" && known[col] != "":
			probs = append(probs, twice(name, known[col], col))
		case col != "":
			known[col], mapped[i] = name, col
		case carried[name]:
			probs = append(probs, twice(name, name, ""))
		case looksKnown(name) != "":
			probs = append(probs, faultf("header column has spaces or invisible characters",
				"header column %s looks like %s but has spaces or invisible characters", shortQuote(name), looksKnown(name)))
		default:
			names, cols = append(names, name), append(cols, i)
			carried[name] = true
		}
	}
	if probs != nil {
		return probs
	}
	if known["membership_id"] == "" {
		probs = append(probs, faultf("header has no membership_id column",
			"header has no membership_id column (found: %s)%s", listNames(header), didYouMean(names, "membership_id")))
	}
	if known["days"] == "" && known["metadata"] == "" {
		probs = append(probs, faultf("header has neither a days nor a metadata column",
			"header has neither a days nor a metadata column (found: %s)%s", listNames(header), didYouMean(names, "days", "metadata")))
	}
	if d.fixed && !slices.Equal(names, d.names) {
		probs = append(probs, faultOf("the columns changed since the file was checked"))
	}
	if probs != nil {
		return probs
	}
	d.header, d.width, d.names, d.cols = mapped, len(header), names, cols
	return nil
}

// twice is the fault of a column given twice: by the same name, or (for a
// known column col) by two spellings of it.
func twice(name, first, col string) fault {
	const kind = "header has a column twice"
	if name == first {
		return faultf(kind, "header has the column %s twice", shortQuote(name))
	}
	return faultf(kind, "header has the %s column twice (%s and %s)", col, shortQuote(first), shortQuote(name))
}

// knownColumn returns the known column that name stands for, ignoring
// case, surrounding spaces, and spaces against underscores, or "".
func knownColumn(name string) string {
	c := canonical(name)
	if slices.Contains(knownColumns, c) {
		return c
	}
	return ""
}

// canonical is name in lower case, its words (split at spaces and
// underscores) joined by one underscore.
func canonical(name string) string {
	words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return r == '_' || unicode.IsSpace(r)
	})
	return strings.Join(words, "_")
}

// looksKnown returns the known column that name spells with spaces inside
// a word or invisible characters (which gocsv would also map to it), or
// "".
func looksKnown(name string) string {
	bare := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return r
	}, name)
	return knownColumn(bare)
}

// didYouMean names the column among names closest to one of the wanted
// known columns, as a hint for a message, or "" when none is close.
func didYouMean(names []string, want ...string) string {
	best, bestCol, bestDist := "", "", 0
	for _, col := range want {
		limit := max(1, len(col)/3)
		for _, name := range names {
			if d := EditDistance(canonical(name), col); d <= limit && (best == "" || d < bestDist) {
				best, bestCol, bestDist = name, col, d
			}
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("; did you mean %s instead of %s?", bestCol, shortQuote(best))
}

// EditDistance is the Levenshtein distance between a and b, counting a
// swap of two neighbours as one edit (--simualte is one away from
// --simulate).
func EditDistance(a, b string) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// listNames lists header names for a message.
func listNames(header []string) string {
	var b strings.Builder
	for i, name := range header {
		if i == 10 {
			fmt.Fprintf(&b, ", and %d more", len(header)-i)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(shortQuote(name))
	}
	return b.String()
}
