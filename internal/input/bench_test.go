package input

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const benchRows = 1_000_000

// BenchmarkScanCSV1M and BenchmarkScanJSONL1M scan a million-row file (one
// row in four a metadata row, one carried column) and report the speed and
// the memory it takes: the largest live heap seen while scanning, and the
// process's peak resident set (which includes everything before it).
func BenchmarkScanCSV1M(b *testing.B) {
	benchScan(b, CSV, func(w *bufio.Writer, i int) {
		if i < 0 {
			w.WriteString("membership_id,days,metadata,note\n")
		} else if i%4 == 3 {
			fmt.Fprintf(w, "mem_%08d,,\"{\"\"tier\"\":\"\"gold\"\",\"\"n\"\":%d}\",row %d\n", i, i, i)
		} else {
			fmt.Fprintf(w, "mem_%08d,%d,,row %d\n", i, 1+i%1095, i)
		}
	})
}

func BenchmarkScanJSONL1M(b *testing.B) {
	benchScan(b, JSONL, func(w *bufio.Writer, i int) {
		if i < 0 {
			return
		} else if i%4 == 3 {
			fmt.Fprintf(w, "{\"membership_id\":\"mem_%08d\",\"metadata\":{\"tier\":\"gold\",\"n\":%d},\"note\":\"row %d\"}\n", i, i, i)
		} else {
			fmt.Fprintf(w, "{\"membership_id\":\"mem_%08d\",\"days\":%d,\"note\":\"row %d\"}\n", i, 1+i%1095, i)
		}
	})
}

// benchScan writes the file with row (called with -1 for a header), then
// scans it.
func benchScan(b *testing.B, f Format, row func(w *bufio.Writer, i int)) {
	path := filepath.Join(b.TempDir(), "in."+string(f))
	file, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriter(file)
	for i := -1; i < benchRows; i++ {
		row(w, i)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	file.Close()

	runtime.GC()
	stop, peak := sampleHeap()
	for b.Loop() {
		s, err := ScanFile(path, f, false)
		if err != nil {
			b.Fatal(err)
		}
		if s.Rows != benchRows || s.ProblemCount != 0 || s.Memberships != benchRows {
			b.Fatalf("scan: %d rows, %d memberships, problems %v", s.Rows, s.Memberships, s.Problems)
		}
	}
	stop()
	b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(*peak)/(1<<20), "MiB-peak-heap")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<20), "MiB-peak-RSS")
	}
}

// sampleHeap records the largest live heap until stop is called.
func sampleHeap() (stop func(), peak *uint64) {
	peak = new(uint64)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapAlloc)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }, peak
}

// peakRSS is the process's peak resident set in bytes, where Linux tells
// it; 0 elsewhere.
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
