package report

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		http int
		msg  string
		want string
	}{
		{404, "Membership not found", "no such membership"},
		{404, "read membership: Membership not found", "no such membership"},
		{404, "not applied: Membership not found", "no such membership"},
		{422, "This membership has no billing period or expiration to extend", "lifetime membership (nothing to extend)"},
		{0, "changed since the plan: period end 2026-12-01, now 2026-12-08", "changed since the plan"},
		{0, "read tcp 127.0.0.1:51234->127.0.0.1:443: read: connection reset by peer", "connection reset"},
		{0, "dial tcp 10.0.0.1:443: connect: connection refused", "connection refused"},
		{0, "timed out", "timed out"},
		{0, "unexpected EOF", "connection closed"},
		{500, "answer cut off: unexpected EOF", "answer cut off"},
		{409, "a request with this Idempotency-Key is still running, or ended with an unknown outcome", "earlier request still in progress"},
		{0, "an earlier request's outcome is unknown; run again to check it against the membership", "earlier request in doubt"},
		{201, "the answer says 40 days; a read shows no change either: check the membership by hand, then record what you found: bulk settle FILE --applied mem_x (or --not-applied mem_x)",
			"answer contradicted; settle by hand"},
		{0, "not sent: journal: read x.journal: input/output error", "journal error"},
		{429, "", "rate limited"},
		{429, "Rate limit exceeded. Try again in 12 seconds.", "rate limited"},
		// Fallback: the message with what varies normalised away.
		{400, `Metadata value for key "k00" can be at most 500 characters`, `metadata value for key "…" can be at most N characters`},
		{400, `Metadata value for key "zz" can be at most 500 characters`, `metadata value for key "…" can be at most N characters`},
		{400, "the answer is for membership \"mem_Q\", not mem_R", `the answer is for membership "…", not mem_…`},
		{400, "days must be an integer; got 1.5", "days must be an integer"},
		{502, "  Bad\n\tgateway  ", "bad gateway"},
		{503, "", "service unavailable"},
		{0, "", "no message"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.http, tt.msg), func(t *testing.T) {
			if got := classify(tt.http, tt.msg); got != tt.want {
				t.Errorf("classify(%d, %q) = %q, want %q", tt.http, tt.msg, got, tt.want)
			}
		})
	}
}

func TestClassifyCutsLongMessages(t *testing.T) {
	got := classify(400, strings.Repeat("abc ", 60))
	if n := len([]rune(got)); n != maxClass || !strings.HasSuffix(got, "…") {
		t.Errorf("class of a long message has %d runes, want %d ending in …: %q", n, maxClass, got)
	}
}

func TestReasonsAdd(t *testing.T) {
	rows := []Row{
		{Line: 2, MembershipID: "mem_a", Status: "applied"},
		{Line: 3, MembershipID: "mem_b", Status: "failed", HTTPStatus: 404, Error: "Membership not found"},
		{Line: 4, MembershipID: "mem_c", Status: "unknown", Error: "read: connection reset by peer"},
		{Line: 5, MembershipID: "mem_d", Status: "failed", HTTPStatus: 404, Error: "not applied: Membership not found"},
		{Line: 6, MembershipID: "mem_e", Status: "pending", Error: "not tried"},
		{Line: 7, MembershipID: "mem_f", Status: "failed", HTTPStatus: 404, Error: "Membership not found"},
		{Line: 8, MembershipID: "mem_g", Status: "failed", HTTPStatus: 404, Error: "Membership not found"},
		{Line: 9, MembershipID: "mem_h", Status: "unknown", HTTPStatus: 404, Error: "Membership not found"},
		{Line: 10, MembershipID: "mem_i", Status: "skipped", Error: "already extended"},
	}
	wantFirst := []bool{false, true, true, false, false, false, false, true, false}
	wantCount := []int{0, 1, 1, 2, 0, 3, 4, 1, 0}
	rs := NewReasons()
	for i, r := range rows {
		got, first := rs.Add(r)
		if first != wantFirst[i] || got.Count != wantCount[i] {
			t.Errorf("Add(line %d) = count %d, first %v; want %d, %v", r.Line, got.Count, first, wantCount[i], wantFirst[i])
		}
	}
	want := []Reason{
		{Status: "failed", HTTPStatus: 404, Class: "no such membership", Count: 4, Examples: []Example{
			{3, "mem_b", "Membership not found"}, {5, "mem_d", "not applied: Membership not found"}, {7, "mem_f", "Membership not found"},
		}},
		{Status: "unknown", HTTPStatus: 404, Class: "no such membership", Count: 1, Examples: []Example{{9, "mem_h", "Membership not found"}}},
		{Status: "unknown", Class: "connection reset", Count: 1, Examples: []Example{{4, "mem_c", "read: connection reset by peer"}}},
	}
	got := rs.List()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("List()\n got %+v\nwant %+v", got, want)
	}
	wantLines := []string{
		"404 no such membership: 4 rows (lines 3, 5, 7, …)",
		"unknown: 404 no such membership: 1 row (line 9)",
		"unknown: connection reset: 1 row (line 4)",
	}
	if lines := ReasonLines(got); !slices.Equal(lines, wantLines) {
		t.Errorf("ReasonLines\n got %q\nwant %q", lines, wantLines)
	}
	// List returns copies: changing them does not change the count.
	got[0].Examples[0].Line = 99
	if rs.List()[0].Examples[0].Line != 3 {
		t.Error("List shares its examples with the count")
	}
}

func TestReasonLabel(t *testing.T) {
	tests := []struct {
		r    Reason
		want string
	}{
		{Reason{Status: "failed", HTTPStatus: 422, Class: "lifetime membership (nothing to extend)"}, "422 lifetime membership (nothing to extend)"},
		{Reason{Status: "failed", Class: "changed since the plan"}, "changed since the plan"},
		{Reason{Status: "unknown", Class: "timed out"}, "unknown: timed out"},
		{Reason{Status: "would_fail", HTTPStatus: 404, Class: "no such membership"}, "would fail: 404 no such membership"},
	}
	for _, tt := range tests {
		if got := tt.r.Label(); got != tt.want {
			t.Errorf("Label() = %q, want %q", got, tt.want)
		}
	}
}

func TestReasonsBounded(t *testing.T) {
	rs := NewReasons()
	for i := range maxReasons + 30 {
		rs.Add(Row{Line: i + 2, Status: "failed", HTTPStatus: 400, Error: fmt.Sprintf("odd message %c", 'A'+i%26) + strings.Repeat("z", i)})
	}
	rs.Add(Row{Line: 500, Status: "unknown", HTTPStatus: 500, Error: "something new"})
	list := rs.List()
	if len(list) != maxReasons+2 {
		t.Fatalf("%d reasons, want %d (the maximum and two of class other)", len(list), maxReasons+2)
	}
	total, others := 0, 0
	for _, r := range list {
		total += r.Count
		if r.Class == "other" {
			others += r.Count
		}
	}
	if total != maxReasons+31 || others != 31 {
		t.Errorf("counted %d rows, %d as other; want %d and 31", total, others, maxReasons+31)
	}
}
