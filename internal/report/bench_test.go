package report

import (
	"path/filepath"
	"testing"
)

func benchmarkWrite(b *testing.B, name string) {
	exp, prev := int64(1796083200), int64(1793491200)
	row := Row{
		MembershipID: "mem_a1B2c3D4e5F6g7H8", Action: "add_free_days", Days: 30, Status: "applied",
		HTTPStatus: 201, PreviousPeriodEnd: &prev, PeriodEnd: &exp,
		MembershipStatus: "active", Attempts: 1,
		Extra: []string{"someone@example.com", "Q4 goodwill"},
	}
	w, err := Create(filepath.Join(b.TempDir(), name), []string{"email", "note"})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Abort()
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		rows++
		row.Line = rows + 1
		if err := w.Write(row); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkWriteCSV(b *testing.B)   { benchmarkWrite(b, "bench.report.csv") }
func BenchmarkWriteJSONL(b *testing.B) { benchmarkWrite(b, "bench.report.jsonl") }
