package whopsim

import "time"

// window is a sliding-window rate limit: at most limit accepted requests
// in any (t-width, t]. With a cooldown (v2), the request that would exceed
// it starts a cooldown during which every request is refused; without one
// (Current), a request is refused only while the window is full. Refused
// requests are not counted.
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
	w.slide(now)
	if len(w.accepted) >= w.limit {
		w.until = now.Add(w.cooldown)
		return false
	}
	w.accepted = append(w.accepted, now)
	return true
}

// slide forgets the accepted arrivals that have left the window at now.
func (w *window) slide(now time.Time) {
	cut := now.Add(-w.width)
	i := 0
	for i < len(w.accepted) && !w.accepted[i].After(cut) {
		i++
	}
	w.accepted = w.accepted[i:]
}

// wait is how long after now a refused request would be accepted: the
// cooldown left, or until the oldest accepted arrival leaves the window;
// in whole seconds rounded up, at least 1.
func (w *window) wait(now time.Time) int {
	left := w.until.Sub(now)
	if !w.off && len(w.accepted) >= w.limit {
		left = max(left, w.accepted[0].Add(w.width).Sub(now))
	}
	return max(int((left+time.Second-1)/time.Second), 1)
}
