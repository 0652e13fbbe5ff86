package batch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"bulk/internal/client"
)

// Warnings: what the operator should know about a row that did not fail.
// The plan and the run give the same ones.

// statusWarning: a membership the operator may not mean to compensate.
func statusWarning(m *client.Membership) string {
	if m.Status == "canceled" || m.Status == "expired" {
		return "membership is " + m.Status
	}
	return ""
}

// pastWarning: free days that end before today give nothing usable.
func pastWarning(end *int64) string {
	if end != nil && *end < time.Now().Unix() {
		return "the new period end " + time.Unix(*end, 0).UTC().Format(time.RFC3339) + " is still in the past"
	}
	return ""
}

// codeContradicted marks an answer that said the days were added while
// its own dates say otherwise.
const codeContradicted = "bulk_contradicted"

// answerContradicts says how an extend's 2xx answer contradicts the state
// read before it, or "": a different membership, or dates that do not show
// exactly the days added to the period's end, the start unmoved.
func answerContradicts(before, after *client.Membership, days int) string {
	if after.ID != before.ID {
		return fmt.Sprintf("the API answered for membership %s", after.ID)
	}
	if before.PeriodEnd == nil || after.PeriodEnd == nil {
		return ""
	}
	want := *before.PeriodEnd + int64(days)*day
	if *after.PeriodEnd == want && eq(before.PeriodStart, after.PeriodStart) {
		return ""
	}
	return fmt.Sprintf("the API said it added the days, but answered with period %s to %s; %d days after the period read before ends %s",
		date(after.PeriodStart), date(after.PeriodEnd), days, date(&want))
}

// date is a timestamp as the report writes it, or "none".
func date(p *int64) string {
	if p == nil {
		return "none"
	}
	return time.Unix(*p, 0).UTC().Format(time.RFC3339)
}

// metadataWarning names the keys whose value the row changes and, under
// replace, the keys it drops.
func (e *Engine) metadataWarning(current, next json.RawMessage) string {
	var parts []string
	if changed := changedKeys(current, next); len(changed) > 0 {
		parts = append(parts, "metadata keys change value: "+strings.Join(changed, ", "))
	}
	if e.opts.ReplaceMetadata {
		if lost := dropped(current, next); len(lost) > 0 {
			parts = append(parts, "replacing metadata drops keys: "+strings.Join(lost, ", "))
		}
	}
	return strings.Join(parts, "; ")
}

// changedKeys lists the keys of next that current holds with another value.
func changedKeys(current, next json.RawMessage) []string {
	cur := objectOf(current)
	var keys []string
	for k, v := range objectOf(next) {
		if old, ok := cur[k]; ok && !sameJSON(old, v) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// dropped lists the keys of current that next lacks.
func dropped(current, next json.RawMessage) []string {
	nxt := objectOf(next)
	var keys []string
	for k := range objectOf(current) {
		if _, ok := nxt[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// sameJSON compares two JSON values whatever their spacing.
func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) != nil || json.Compact(&cb, b) != nil {
		return bytes.Equal(a, b)
	}
	return bytes.Equal(ca.Bytes(), cb.Bytes())
}

func joinWarnings(ws ...string) string {
	return strings.Join(slices.DeleteFunc(ws, func(s string) bool { return s == "" }), "; ")
}
