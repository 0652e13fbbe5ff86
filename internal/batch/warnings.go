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

// answerWarning: the API said it extended the membership, but the dates it
// answered with do not show exactly the days added to the period read
// before. The row stays applied (the API said so), and the operator hears
// of it.
func answerWarning(before, after *client.Membership, days int) string {
	if before.PeriodEnd == nil || after.PeriodEnd == nil {
		return ""
	}
	want := *before.PeriodEnd + int64(days)*day
	if *after.PeriodEnd == want && eq(before.PeriodStart, after.PeriodStart) {
		return ""
	}
	return fmt.Sprintf("the API answered with period end %s; %d days after the period end read before is %s: check the membership",
		time.Unix(*after.PeriodEnd, 0).UTC().Format(time.RFC3339), days, time.Unix(want, 0).UTC().Format(time.RFC3339))
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
