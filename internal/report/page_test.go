package report

import (
	"bulk/internal/outcome"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// hostile is text a page must show, not run.
const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)>&amp;`

// campaign feeds a page and a count of reasons the rows of a small run,
// and returns its summary.
func campaign(p *Page, rs *Reasons) Summary {
	start := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	counts := map[outcome.Status]int{}
	add := func(r Row) {
		counts[r.Status]++
		p.Add(r)
		rs.Add(r)
	}
	line := 1
	next := func() int { line++; return line }
	// 12 applied over three ISO weeks: 2026-W49 (Nov 30), W50, W52.
	for i, n := range []int{5, 4, 3} {
		week := time.Date(2026, 12, []int{1, 8, 22}[i], 12, 0, 0, 0, time.UTC).Unix()
		for range n {
			add(Row{Line: next(), MembershipID: fmt.Sprintf("mem_ok%d", line), Action: "add_free_days", Days: 7,
				Status: "applied", HTTPStatus: 201, PeriodEnd: ptr(week)})
		}
	}
	add(Row{Line: next(), MembershipID: "mem_meta", Action: "update_metadata", Status: "applied", PeriodEnd: ptr(start.Unix())})
	add(Row{Line: next(), MembershipID: "mem_skip", Action: "add_free_days", Days: 7, Status: "skipped"})
	for range 3 {
		add(Row{Line: next(), MembershipID: fmt.Sprintf("mem_gone%d", line), Action: "add_free_days", Days: 7,
			Status: "failed", HTTPStatus: 404, Error: "Membership not found"})
	}
	add(Row{Line: next(), MembershipID: "mem_life", Action: "add_free_days", Days: 7, Status: "failed", HTTPStatus: 422,
		Error: "This membership has no billing period or expiration to extend"})
	add(Row{Line: next(), MembershipID: "mem_x" + hostile, Action: "add_free_days", Days: 7, Status: "failed", HTTPStatus: 400,
		Error: hostile})
	add(Row{Line: next(), MembershipID: "mem_doubt", Action: "add_free_days", Days: 7, Status: "unknown",
		Error: "the API still reports a request with this Idempotency-Key in progress; run again later to settle it, or " +
			"check the membership by hand, then record what you found: bulk settle FILE --applied mem_doubt (or --not-applied mem_doubt)"})
	add(Row{Line: next(), MembershipID: "mem_later", Action: "add_free_days", Days: 7, Status: "pending"})
	return Summary{
		Campaign: "november <goodwill>", Input: "nov.csv", InputSHA256: "ab12", Mode: "run",
		API: "current", APIVersion: "2026-11-17", Sandbox: true, Rows: line - 1, Counts: counts,
		DaysGranted: 84, MembershipsTouched: 13, Started: start, Ended: start.Add(95 * time.Second), DurationSeconds: 95,
		Reasons: rs.List(),
	}
}

// writePage writes the sample campaign's page into a temporary directory.
func writePage(t *testing.T) string {
	t.Helper()
	p := NewPage()
	s := campaign(p, NewReasons())
	path := filepath.Join(t.TempDir(), "nov.report.html")
	files := PageFiles{Report: "/x/nov.report.csv", Retry: "/x/nov.report.retry.csv"}
	if err := p.Write(path, s, files); err != nil {
		t.Fatal(err)
	}
	return path
}

func parsePage(t *testing.T, path string) *html.Node {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := html.Parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// find is every element below n named tag for which match is true.
func find(n *html.Node, tag string, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && d.Data == tag && (match == nil || match(d)) {
			out = append(out, d)
		}
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attr(n, "id") == id }
}

// text is the text below n, white space collapsed.
func text(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// cells is the text of each cell of each row of a table.
func cells(table *html.Node) [][]string {
	var rows [][]string
	for _, tr := range find(table, "tr", nil) {
		var row []string
		for c := range tr.ChildNodes() {
			if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
				row = append(row, text(c))
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func one(t *testing.T, nodes []*html.Node, what string) *html.Node {
	t.Helper()
	if len(nodes) != 1 {
		t.Fatalf("%d %s, want 1", len(nodes), what)
	}
	return nodes[0]
}

func TestPageContent(t *testing.T) {
	path := writePage(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("page mode %o, want 600", perm)
	}
	doc := parsePage(t, path)

	head := one(t, find(doc, "head", nil), "heads")
	if got, want := text(one(t, find(head, "title", nil), "titles")), "Campaign november <goodwill> · bulk"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	if got := text(one(t, find(doc, "header", nil), "headers")); !strings.Contains(got, "Whop Current API, version 2026-11-17") ||
		!strings.Contains(got, "sandbox") {
		t.Errorf("header %q: want the API, its version and the sandbox", got)
	}

	totals := cells(one(t, find(doc, "table", byID("totals")), "totals tables"))
	wantTotals := [][]string{{"rows", "21"}, {"applied", "13"}, {"skipped", "1"}, {"failed", "5"}, {"unknown", "1"},
		{"pending", "1"}, {"free days granted", "84"}, {"memberships touched", "13"}}
	if !slices.EqualFunc(totals, wantTotals, slices.Equal) {
		t.Errorf("totals\n got %q\nwant %q", totals, wantTotals)
	}

	reasons := cells(one(t, find(doc, "table", byID("reasons")), "reasons tables"))
	var labels [][]string
	for _, r := range reasons {
		labels = append(labels, r[:2])
	}
	wantReasons := [][]string{{"Reason", "Rows"}, {"404 no such membership", "3 rows"}, {"400 " + classify(400, hostile), "1 row"},
		{"422 lifetime membership (nothing to extend)", "1 row"}, {"unknown: earlier request still in progress", "1 row"}}
	if !slices.EqualFunc(labels, wantReasons, slices.Equal) {
		t.Errorf("reasons table\n got %q\nwant %q", labels, wantReasons)
	}

	outcomes := one(t, find(doc, "svg", byID("outcomes")), "outcome charts")
	var bars []string
	for _, r := range find(outcomes, "rect", nil) {
		bars = append(bars, attr(r, "class"))
	}
	if want := []string{"bar applied", "bar skipped", "bar failed", "bar unknown", "bar pending"}; !slices.Equal(bars, want) {
		t.Errorf("outcome bars %q, want %q", bars, want)
	}
	weeks := one(t, find(doc, "svg", byID("weeks")), "week charts")
	var weekLabels []string
	for _, tx := range find(weeks, "text", func(n *html.Node) bool { return attr(n, "text-anchor") == "end" }) {
		weekLabels = append(weekLabels, text(tx))
	}
	if want := []string{"2026-W49 (Nov 30)", "2026-W50 (Dec 7)", "2026-W52 (Dec 21)"}; !slices.Equal(weekLabels, want) {
		t.Errorf("week bars %q, want %q", weekLabels, want)
	}

	attention := cells(one(t, find(doc, "table", byID("attention")), "attention tables"))
	if len(attention) != 7 || attention[1][1] != "mem_doubt" || attention[1][2] != "unknown" ||
		!strings.Contains(attention[1][4], "bulk settle FILE --applied mem_doubt") {
		t.Errorf("rows needing a person %q: want the unknown row first, with its settle hint, then 5 failed", attention)
	}
}

func TestPageOutcomeBars(t *testing.T) {
	tests := []struct {
		name string
		s    Summary
		want []string
	}{
		{"run", Summary{Mode: "run"}, []string{"applied", "skipped", "failed", "unknown", "pending"}},
		{"plan", Summary{Mode: "plan", Counts: map[outcome.Status]int{"would_apply": 3}}, []string{"would_apply", "would_skip", "would_fail"}},
		{"offline plan", Summary{Mode: "plan-offline"}, []string{"would_apply", "would_skip", "would_fail"}},
		{"a status of no mode", Summary{Mode: "run", Counts: map[outcome.Status]int{"odd": 1, "applied": 2}},
			[]string{"applied", "skipped", "failed", "unknown", "pending", "odd"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, b := range NewPage().view(tt.s, PageFiles{}).Outcomes.Bars {
				got = append(got, b.Label)
				if b.Count != tt.s.Counts[outcome.Status(b.Label)] || b.Class != "bar "+b.Label {
					t.Errorf("bar %s: count %d, class %q; want %d, %q", b.Label, b.Count, b.Class, tt.s.Counts[outcome.Status(b.Label)], "bar "+b.Label)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("bars %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPageEscapes(t *testing.T) {
	path := writePage(t)
	doc := parsePage(t, path)
	if n := len(find(doc, "script", nil)) + len(find(doc, "img", nil)); n != 0 {
		t.Errorf("the page holds %d script or img elements from row text", n)
	}
	var seen int
	for _, tr := range find(doc, "tr", nil) {
		if strings.Contains(text(tr), hostile) {
			seen++
		}
	}
	if seen < 2 { // the reasons' example and the row that needs a person
		t.Errorf("hostile text shown verbatim in %d table rows, want at least 2", seen)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<script", "<img", "<goodwill>"} {
		if strings.Contains(string(data), bad) {
			t.Errorf("page source holds %q unescaped", bad)
		}
	}
	for _, ref := range []string{"http:", "https:", "url(", "@import"} {
		if strings.Contains(string(data), ref) {
			t.Errorf("page source holds %q: it must need no other file", ref)
		}
	}
	refers := func(n *html.Node) bool { return attr(n, "src") != "" || attr(n, "href") != "" || n.Data == "link" }
	for _, tag := range []string{"a", "link", "img", "script", "iframe", "object"} {
		if n := len(find(doc, tag, refers)); n != 0 {
			t.Errorf("%d %s elements point at another file", n, tag)
		}
	}
}

func TestPageCapsRows(t *testing.T) {
	p := NewPage()
	for i := range maxAttention + 50 {
		p.Add(Row{Line: i + 2, MembershipID: "mem_f", Status: "failed", Error: "x", Extra: []string{"big"}})
	}
	p.Add(Row{Line: 999, MembershipID: "mem_u", Status: "unknown"})
	v := p.view(Summary{Counts: map[outcome.Status]int{"failed": maxAttention + 50, "unknown": 1}}, PageFiles{Report: "d/r.csv"})
	if len(v.Attention) != maxAttention || v.Attention[0].MembershipID != "mem_u" || v.More != 51 {
		t.Errorf("%d rows listed (first %s), %d more; want %d (the unknown first), 51 more",
			len(v.Attention), v.Attention[0].MembershipID, v.More, maxAttention)
	}
	if len(p.failed) > maxAttention || p.failed[0].Extra != nil {
		t.Errorf("the page keeps %d failed rows (with carried values: %v), want at most %d, without",
			len(p.failed), p.failed[0].Extra != nil, maxAttention)
	}
}

func TestWeekChart(t *testing.T) {
	day := func(y int, m time.Month, d int) int64 { return time.Date(y, m, d, 23, 0, 0, 0, time.UTC).Unix() }
	tests := []struct {
		name   string
		ends   []int64
		labels []string
		counts []int
	}{
		{"none", nil, nil, nil},
		{"Sunday and Monday fall in different weeks",
			[]int64{day(2026, 12, 6), day(2026, 12, 7), day(2026, 12, 13), day(2027, 1, 1)},
			[]string{"2026-W49 (Nov 30)", "2026-W50 (Dec 7)", "2026-W53 (Dec 28)"}, []int{1, 2, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPage()
			for _, e := range tt.ends {
				p.Add(Row{Action: "add_free_days", Status: "applied", PeriodEnd: ptr(e)})
			}
			var labels []string
			var counts []int
			for _, b := range p.weekChart().Bars {
				labels, counts = append(labels, b.Label), append(counts, b.Count)
			}
			if !slices.Equal(labels, tt.labels) || !slices.Equal(counts, tt.counts) {
				t.Errorf("bars %q %v, want %q %v", labels, counts, tt.labels, tt.counts)
			}
		})
	}
	p := NewPage()
	for i := range maxWeeks + 10 {
		p.Add(Row{Action: "add_free_days", Status: "would_apply", PeriodEnd: ptr(day(2027, 1, 4) + int64(i)*7*86400)})
	}
	bars := p.weekChart().Bars
	if last := bars[len(bars)-1]; len(bars) != maxWeeks || last.Count != 11 || last.Label != "from 2028-W08" {
		t.Errorf("%d bars, the last %q with %d; want %d, the last \"from 2028-W08\" with 11", len(bars), last.Label, last.Count, maxWeeks)
	}
}

func TestThousands(t *testing.T) {
	tests := []struct {
		n    any
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {int64(1234567), "1,234,567"}, {-1000, "-1,000"}}
	for _, tt := range tests {
		if got := Thousands(tt.n); got != tt.want {
			t.Errorf("Thousands(%v) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// browser is the Chromium on PATH, if any.
func browser() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// TestPageInBrowser opens the page in headless Chromium and checks that it
// draws something: a screenshot that decodes and holds more than one colour.
func TestPageInBrowser(t *testing.T) {
	bin := browser()
	if bin == "" {
		t.Skip("chromium not found: install the chromium package to check the page in a browser")
	}
	if testing.Short() {
		t.Skip("starts a browser")
	}
	page := writePage(t)
	dir := t.TempDir()
	shot := filepath.Join(dir, "page.png")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--disable-gpu", "--no-sandbox",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--hide-scrollbars",
		"--screenshot="+shot, "--window-size=1000,1400", "file://"+page)
	cmd.Env = append(os.Environ(), "HOME="+dir) // leave the user's profile alone
	out, err := cmd.CombinedOutput()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("chromium took over 60 s: %s", out)
	}
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v\n%s", err, out)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if n := colours(img, 3); n < 3 {
		t.Errorf("screenshot holds %d colours: the page drew nothing", n)
	}
	// The outcome chart's bars are drawn: the applied one in green, the
	// failed one in red (page.html.tmpl's colours).
	for name, c := range map[string]color.RGBA{"applied": {0x2e, 0x7d, 0x32, 0xff}, "failed": {0xc6, 0x28, 0x28, 0xff}} {
		if n := pixels(img, c); n < 100 {
			t.Errorf("screenshot has %d pixels of the %s bar's colour, want a bar's worth", n, name)
		}
	}
}

// colours counts the distinct colours of img, stopping at enough.
func colours(img image.Image, enough int) int {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			seen[rgba(img.At(x, y))] = true
			if len(seen) >= enough {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// pixels counts the pixels of img within a few steps of c.
func pixels(img image.Image, c color.RGBA) int {
	near := func(a, b uint8) bool { return max(a, b)-min(a, b) <= 6 }
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			p := rgba(img.At(x, y))
			if near(p.R, c.R) && near(p.G, c.G) && near(p.B, c.B) {
				n++
			}
		}
	}
	return n
}

func rgba(c color.Color) color.RGBA {
	r, g, b, a := c.RGBA()
	return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(b >> 8), uint8(a >> 8)}
}
