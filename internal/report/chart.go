package report

import (
	"bulk/internal/outcome"
	"fmt"
	"maps"
	"slices"
	"time"
)

// chart is a horizontal bar chart, laid out for an inline SVG: one bar a
// line, its label on the left and its count after it.
type chart struct {
	Width, Height int
	LabelX, BarX  int // where labels end and bars start
	BarHeight     int
	Bars          []bar
}

// bar is one bar of a chart, with its place in the drawing.
type bar struct {
	Label  string
	Count  int
	Class  string // the CSS class that colours it
	Y      int    // top of the bar
	TextY  int    // baseline of its label and count
	Width  int
	CountX int // where its count starts
}

// The drawing's geometry, in SVG user units; the SVG's viewBox is
// chartWidth wide and scales to the page.
const (
	chartWidth = 480
	labelRight = 140 // labels end here
	barLeft    = 146
	barMax     = 280 // the longest bar
	lineHeight = 26
	barHeight  = 18
	// maxWeeks bounds the bars of the weeks chart: weeks after the first
	// maxWeeks-1 share the last bar.
	maxWeeks = 60
)

// newChart lays out bars with the given labels, counts and classes.
func newChart(labels []string, counts []int, classes []string) chart {
	top := slices.Max(append([]int{1}, counts...))
	c := chart{Width: chartWidth, Height: len(labels)*lineHeight + 8, LabelX: labelRight, BarX: barLeft, BarHeight: barHeight}
	for i, label := range labels {
		w := counts[i] * barMax / top
		if counts[i] > 0 && w == 0 {
			w = 1 // a bar that is there is seen
		}
		y := 4 + i*lineHeight
		c.Bars = append(c.Bars, bar{
			Label: label, Count: counts[i], Class: classes[i],
			Y: y, TextY: y + barHeight - 4, Width: w, CountX: barLeft + w + 6,
		})
	}
	return c
}

// The outcomes a run's and a plan's charts always show, in order.
var (
	runOutcomes  = []outcome.Status{outcome.Applied, outcome.Skipped, outcome.Failed, outcome.Unknown, outcome.Pending}
	planOutcomes = []outcome.Status{outcome.WouldApply, outcome.WouldSkip, outcome.WouldFail}
)

// outcomeOrder is the statuses the page shows: those of the mode, then any
// other the summary counts.
func outcomeOrder(s Summary) []outcome.Status {
	order := runOutcomes
	if s.Mode == "plan" || s.Mode == "plan-offline" {
		order = planOutcomes
	}
	order = slices.Clone(order)
	for _, st := range slices.Sorted(maps.Keys(s.Counts)) {
		if !slices.Contains(order, st) {
			order = append(order, st)
		}
	}
	return order
}

// outcomeChart has one bar per status, in order.
func outcomeChart(s Summary, statuses []outcome.Status) chart {
	counts := make([]int, len(statuses))
	classes := make([]string, len(statuses))
	labels := make([]string, len(statuses))
	for i, st := range statuses {
		counts[i], classes[i], labels[i] = s.Counts[st], "bar "+string(st), string(st)
	}
	return newChart(labels, counts, classes)
}

// weekChart has one bar per ISO week that holds new period ends, in date
// order; past maxWeeks, the last bar holds the rest.
func (p *Page) weekChart() chart {
	mondays := slices.Sorted(maps.Keys(p.weeks))
	n := min(len(mondays), maxWeeks)
	labels, counts, classes := make([]string, n), make([]int, n), make([]string, n)
	for i, m := range mondays[:n] {
		labels[i], counts[i], classes[i] = weekLabel(m), p.weeks[m], "bar week"
		if i == maxWeeks-1 && len(mondays) > maxWeeks {
			labels[i], counts[i] = "from "+isoWeek(m), p.restFrom(mondays[i:])
		}
	}
	return newChart(labels, counts, classes)
}

// restFrom is the rows of the given weeks.
func (p *Page) restFrom(mondays []int64) int {
	n := 0
	for _, m := range mondays {
		n += p.weeks[m]
	}
	return n
}

// weekLabel is "2026-W49 (Nov 30)": the ISO week and its Monday.
func weekLabel(monday int64) string {
	return fmt.Sprintf("%s (%s)", isoWeek(monday), time.Unix(monday, 0).UTC().Format("Jan 2"))
}

// isoWeek is "2026-W49".
func isoWeek(sec int64) string {
	y, w := time.Unix(sec, 0).UTC().ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w)
}
