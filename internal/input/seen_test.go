package input

import (
	"fmt"
	"testing"
)

func TestSeenIDs(t *testing.T) {
	steps := []struct {
		id     string
		action Action
		line   int
		want   int
	}{
		{"mem_a", AddFreeDays, 2, 0},
		{"mem_a", UpdateMetadata, 3, 0},
		{"mem_b", UpdateMetadata, 4, 0},
		{"mem_b", AddFreeDays, 5, 0},
		{"mem_a", AddFreeDays, 6, 2},
		{"mem_a", UpdateMetadata, 7, 3},
		{"mem_b", UpdateMetadata, 8, 4},
		{"mem_b", AddFreeDays, 9, 5},
		{"mem_c", AddFreeDays, 10, 0},
		{"mem_c", AddFreeDays, 11, 10},
	}
	s := new(seenIDs)
	for _, st := range steps {
		t.Run(fmt.Sprintf("%s/%s/%d", st.id, st.action, st.line), func(t *testing.T) {
			if got := s.add(st.id, st.action, st.line); got != st.want {
				t.Errorf("add = %d, want %d", got, st.want)
			}
		})
	}
	if s.n != 3 {
		t.Errorf("n = %d, want 3", s.n)
	}
}

func TestSeenIDsMany(t *testing.T) {
	s := new(seenIDs)
	const n = 200_000
	for i := range n {
		if got := s.add(fmt.Sprintf("mem_%d", i), AddFreeDays, i+1); got != 0 {
			t.Fatalf("mem_%d: first add = %d, want 0", i, got)
		}
	}
	for i := range n {
		if got := s.add(fmt.Sprintf("mem_%d", i), AddFreeDays, n+i+1); got != i+1 {
			t.Fatalf("mem_%d: second add = %d, want %d", i, got, i+1)
		}
	}
	if s.n != n {
		t.Errorf("n = %d, want %d", s.n, n)
	}
}
