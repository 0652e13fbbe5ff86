package batch

import (
	"crypto/sha256"
	"encoding/hex"

	"bulk/internal/client"
	"bulk/internal/input"
)

// IdempotencyKey is the Idempotency-Key sent with a row's change: derived
// from the campaign, the API and its version, the membership, the
// operation and the payload (the row's body and, for metadata, the
// --metadata mode), so the same row of the same campaign always carries the
// same key and nothing else does. It is 69 characters, well within the
// API's 255.
func IdempotencyKey(campaign string, d client.Dialect, r input.Row, replace bool) string {
	return idempotencyKey(campaign, d, r, payloadHash(r, replace))
}

func idempotencyKey(campaign string, d client.Dialect, r input.Row, payload string) string {
	return "bulk-" + hashOf("bulk/v1", campaign, d.Name, d.Version, r.MembershipID, string(r.Action), payload)[:64]
}

// stepKey is the key of a request that sends obj on behalf of a row whose
// key is key, when obj is not the row's own object.
func stepKey(key string, obj []byte) string {
	return "bulk-" + hashOf(key, string(obj))[:64]
}

// key is the row's Idempotency-Key in this campaign.
func (e *Engine) key(r input.Row) string {
	return IdempotencyKey(e.opts.Campaign, e.dialect, r, e.opts.ReplaceMetadata)
}

// payloadHash is the SHA-256 of the row's request body and, for metadata,
// of the mode: the same object merged and replaced are different changes.
func payloadHash(r input.Row, replace bool) string {
	if r.Action == input.UpdateMetadata && replace {
		return hashOf(string(r.Body()), "replace")
	}
	return r.PayloadHash()
}

// hashOf is the SHA-256, in hex, of the parts, each ended by a zero byte.
func hashOf(parts ...string) string {
	h := sha256.New()
	for _, s := range parts {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
