package batch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"

	"bulk/internal/client"
	"bulk/internal/input"
	"bulk/internal/journal"
	"bulk/internal/outcome"
	"bulk/internal/report"
)

// emptyObject clears a membership's metadata where updates merge.
var emptyObject = json.RawMessage("{}")

// processMetadata sets a row's metadata. It reads the membership first
// (for the warnings, and to merge on an API that replaces), then sends one
// update, or two where a replace must clear first. Sending the same
// metadata again does no harm, so a request that failed in any way may be
// sent again.
func (e *Engine) processMetadata(row input.Row, prior *journal.Record) report.Row {
	attempts := 0
	if prior != nil {
		attempts = prior.Attempts
	}
	pace := e.pace(client.OpUpdate)
	for try, limited := 0, 0; ; {
		before, err := e.get(row.MembershipID)
		if err != nil {
			return e.readFailed(row, prior, attempts, err)
		}
		if try == 0 {
			if r, changed := e.changedSincePlan(row, before); changed {
				return r
			}
		}
		intent := e.intent(row, before, attempts+1)
		attempts++
		steps := e.metadataSteps(row.Metadata, before.Metadata)
		if len(steps) > 1 {
			// A crash between clearing and setting must not go unnoticed:
			// the intent, with no outcome after it, makes the next run send
			// the row again.
			if err := e.journal.Append(intent, true); err != nil {
				e.halt(fmt.Errorf("journal: %w", err))
				return pendingRow(row, prior)
			}
		}
		m, err := e.sendMetadata(pace, row, steps, intent.Key)
		if err == errStopped {
			return pendingRow(row, prior)
		}
		if err == nil {
			pace.Succeeded()
			out := outcomeOf(intent, outcome.Applied, m.HTTPStatus, "", m)
			out.Warn = joinWarnings(statusWarning(m), e.metadataWarning(before.Metadata, row.Metadata))
			e.record(out)
			return reportRow(row, out, outcome.Applied)
		}
		ce := asClientError(err)
		status := outcome.Failed
		switch ce.Kind {
		case client.RateLimited:
			if e.refused(pace, intent, ce, &limited) {
				continue
			}
		case client.NotSent, client.Unknown:
			if ce.Kind == client.Unknown {
				status = outcome.Unknown
			}
			e.record(outcomeOf(intent, status, ce.Status, ce.Message, nil))
			if try < e.opts.Retries && e.backoff(try) == nil {
				try++
				continue
			}
		}
		if status == outcome.Unknown {
			out := outcomeOf(intent, status, ce.Status, ce.Message, nil)
			e.record(out)
			return reportRow(row, out, status)
		}
		return e.refusedForGood(row, intent, ce)
	}
}

// metadataSteps are the objects to send, in order, so that the membership
// ends with what the row and --metadata ask for:
//
//	            API merges (Current)           API replaces (v2)
//	merge       the row's object               current ∪ row (row's keys win)
//	replace     {} then the row's object;      the row's object
//	            just the row's object when
//	            no current key would be lost
func (e *Engine) metadataSteps(row, current json.RawMessage) []json.RawMessage {
	switch {
	case !e.opts.ReplaceMetadata && e.dialect.MetadataMerges:
		return []json.RawMessage{row}
	case !e.opts.ReplaceMetadata:
		return []json.RawMessage{union(current, row)}
	case !e.dialect.MetadataMerges || len(dropped(current, row)) == 0:
		return []json.RawMessage{row}
	}
	return []json.RawMessage{emptyObject, row}
}

// sendMetadata sends each step at the update pace and returns the last
// answer, or the first error. A step that sends something other than the
// row's object carries a key of its own, derived from the row's key and
// what it sends.
func (e *Engine) sendMetadata(pace *pacer, row input.Row, steps []json.RawMessage, key string) (*client.Membership, error) {
	var m *client.Membership
	for _, obj := range steps {
		if err := pace.Wait(e.stopCtx); err != nil {
			return nil, errStopped
		}
		k := key
		if !bytes.Equal(obj, row.Metadata) {
			k = stepKey(key, obj)
		}
		var err error
		if m, err = e.api.UpdateMetadata(e.reqCtx, row.MembershipID, obj, k); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// objectOf decodes a metadata object; anything else is empty.
func objectOf(raw json.RawMessage) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || m == nil {
		return map[string]json.RawMessage{}
	}
	return m
}

// union is current with row's keys set, as one object.
func union(current, row json.RawMessage) json.RawMessage {
	m := objectOf(current)
	maps.Copy(m, objectOf(row))
	b, err := json.Marshal(m)
	if err != nil {
		return row
	}
	return b
}
