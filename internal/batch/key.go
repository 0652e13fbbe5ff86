package batch

import (
	"crypto/sha256"
	"encoding/hex"
)

// IdempotencyKey is the Idempotency-Key sent with a row's POST: derived
// from the campaign, the membership, the operation and the payload, so the
// same row of the same campaign always carries the same key and nothing
// else does.
func IdempotencyKey(campaign string, r Row) string {
	return idempotencyKey(campaign, r, r.PayloadHash())
}

func idempotencyKey(campaign string, r Row, payload string) string {
	h := sha256.New()
	for _, s := range []string{"bulk/v1", campaign, r.MembershipID, string(r.Action), payload} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "bulk-" + hex.EncodeToString(h.Sum(nil)[:16])
}
