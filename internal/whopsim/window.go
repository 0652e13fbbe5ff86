package whopsim

import "time"

// window is the v2 rate limit: at most limit accepted requests in any
// (t-width, t]; the request that would exceed it starts a cooldown during
// which every request is refused. Refused requests are not counted.
type window struct {
	limit    int
	width    time.Duration
	cooldown time.Duration
	off      bool        // no sliding limit; a forced cooldown still applies
	accepted []time.Time // accepted arrivals still inside the window, oldest first; at most limit
	until    time.Time   // end of the current cooldown
}

// admit decides on a request arriving at now, and records it when accepted.
func (w *window) admit(now time.Time) bool {
	if now.Before(w.until) {
		return false
	}
	if w.off {
		return true
	}
	cut := now.Add(-w.width)
	i := 0
	for i < len(w.accepted) && !w.accepted[i].After(cut) {
		i++
	}
	w.accepted = w.accepted[i:]
	if len(w.accepted) >= w.limit {
		w.until = now.Add(w.cooldown)
		return false
	}
	w.accepted = append(w.accepted, now)
	return true
}

// retryAfter is the cooldown left at now, in whole seconds rounded up.
func (w *window) retryAfter(now time.Time) int {
	left := w.until.Sub(now)
	secs := int((left + time.Second - 1) / time.Second)
	return max(secs, 1)
}
