package input

import "testing"

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"simulate", "simulate", 0},
		{"simualte", "simulate", 1}, // two neighbours swapped
		{"plna", "plan", 1},
		{"rte", "rate", 1},
		{"", "plan", 4},
		{"yes", "plan", 4},
		{"timeuot", "timeout", 1},
		{"timout", "timeout", 1},
	}
	for _, tt := range tests {
		if got := EditDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
