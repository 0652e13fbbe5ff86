package batch

import (
	"strings"
	"testing"

	"bulk/internal/client"
)

// The Idempotency-Key is the same on every run for the same row of the same
// campaign on the same API and version, differs when any of those or the
// payload differs, and fits the API's 255 characters.
func TestIdempotencyKey(t *testing.T) {
	current := client.Dialect{Name: "current", Version: "2026-11-17"}
	row := addRow(2, "mem_a", 7)
	base := IdempotencyKey("nov", current, row, false)
	if again := IdempotencyKey("nov", current, addRow(9, "mem_a", 7), false); again != base {
		t.Errorf("same row on another line: %s, want %s", again, base)
	}
	if len(base) > 255 || !strings.HasPrefix(base, "bulk-") {
		t.Errorf("key %q: want bulk-..., at most 255 characters", base)
	}
	meta := metaRow(2, "mem_a", `{"a":1}`)
	for name, other := range map[string]string{
		"campaign":    IdempotencyKey("dec", current, row, false),
		"API":         IdempotencyKey("nov", client.Dialect{Name: "v2"}, row, false),
		"API version": IdempotencyKey("nov", client.Dialect{Name: "current", Version: "2026-09-25"}, row, false),
		"membership":  IdempotencyKey("nov", current, addRow(2, "mem_b", 7), false),
		"days":        IdempotencyKey("nov", current, addRow(2, "mem_a", 8), false),
		"operation":   IdempotencyKey("nov", current, meta, false),
	} {
		if other == base {
			t.Errorf("another %s gives the same key", name)
		}
	}
	if IdempotencyKey("nov", current, meta, false) == IdempotencyKey("nov", current, meta, true) {
		t.Error("merging and replacing the same object give the same key")
	}
}
