package whopsim

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// benchIDs is how many memberships the benchmarks cycle through.
const benchIDs = 10_000

// benchServer is a server set up the way the benchmark harness runs one.
func benchServer() *Server {
	return New(Config{Key: testKey, NoLimit: true, NoLog: true, AutoCreate: true})
}

// benchRequests are pre-built requests whose bodies can be rewound, so that
// a benchmark measures the handler rather than building requests.
type benchRequests struct {
	reqs   []*http.Request
	bodies []*bytes.Reader
}

func newBenchRequests(method string, path, body func(i int) string) *benchRequests {
	b := &benchRequests{}
	for i := range benchIDs {
		var rd *bytes.Reader
		var r io.Reader
		if body != nil {
			rd = bytes.NewReader([]byte(body(i)))
			r = rd
		}
		req := httptest.NewRequest(method, path(i), r)
		req.Header.Set("Authorization", "Bearer "+testKey)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		b.reqs = append(b.reqs, req)
		b.bodies = append(b.bodies, rd)
	}
	return b
}

func (b *benchRequests) serve(s *Server, w *discardWriter, i int) int {
	i %= len(b.reqs)
	if rd := b.bodies[i]; rd != nil {
		rd.Seek(0, io.SeekStart)
	}
	clear(w.header)
	s.ServeHTTP(w, b.reqs[i])
	return w.status
}

// discardWriter is a reusable http.ResponseWriter that keeps only the
// status, so that a benchmark counts the server's own allocations.
type discardWriter struct {
	header http.Header
	status int
}

func newDiscardWriter() *discardWriter { return &discardWriter{header: http.Header{}} }

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) WriteHeader(status int)      { w.status = status }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

func benchPath(i int) string { return fmt.Sprintf("/api/v2/memberships/mem_B%08d", i) }

func BenchmarkServeGet(b *testing.B) {
	s := benchServer()
	gets := newBenchRequests(http.MethodGet, benchPath, nil)
	w := newDiscardWriter()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if code := gets.serve(s, w, i); code != http.StatusOK {
			b.Fatalf("status %d", code)
		}
	}
}

func BenchmarkServePostMetadata(b *testing.B) {
	s := benchServer()
	posts := newBenchRequests(http.MethodPost, benchPath, func(i int) string {
		return fmt.Sprintf(`{"metadata":{"comp_campaign":"bench","row":%d}}`, i)
	})
	w := newDiscardWriter()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if code := posts.serve(s, w, i); code != http.StatusCreated {
			b.Fatalf("status %d", code)
		}
	}
}

// BenchmarkServeAddFreeDays is one add-free-days row: a GET, then the POST.
func BenchmarkServeAddFreeDays(b *testing.B) {
	s := benchServer()
	gets := newBenchRequests(http.MethodGet, benchPath, nil)
	posts := newBenchRequests(http.MethodPost, func(i int) string { return benchPath(i) + "/add_free_days" },
		func(i int) string { return fmt.Sprintf(`{"days":%d}`, 1+i%30) })
	w := newDiscardWriter()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if code := gets.serve(s, w, i); code != http.StatusOK {
			b.Fatalf("GET status %d", code)
		}
		if code := posts.serve(s, w, i); code != http.StatusCreated {
			b.Fatalf("POST status %d", code)
		}
	}
}

// The loopback benchmarks send what the benchmark harness sends, from 8
// goroutines over keep-alive connections to a server in this process.
// cpu-ns/op is the process's CPU time (client, server and GC) per operation.

func BenchmarkLoopbackGet(b *testing.B) {
	benchLoopback(b, func(send sender, i int) bool {
		return send(http.MethodGet, benchPath(i), "") == http.StatusOK
	})
}

func BenchmarkLoopbackPostMetadata(b *testing.B) {
	benchLoopback(b, func(send sender, i int) bool {
		return send(http.MethodPost, benchPath(i), fmt.Sprintf(`{"metadata":{"comp_campaign":"bench","row":%d}}`, i)) == http.StatusCreated
	})
}

// BenchmarkLoopbackAddFreeDays is one add-free-days row: a GET, then the POST.
func BenchmarkLoopbackAddFreeDays(b *testing.B) {
	benchLoopback(b, func(send sender, i int) bool {
		return send(http.MethodGet, benchPath(i), "") == http.StatusOK &&
			send(http.MethodPost, benchPath(i)+"/add_free_days", fmt.Sprintf(`{"days":%d}`, 1+i%30)) == http.StatusCreated
	})
}

// sender sends one request and answers its status, 0 when it failed.
type sender func(method, path, body string) int

func benchLoopback(b *testing.B, op func(send sender, i int) bool) {
	ts := httptest.NewServer(benchServer())
	defer ts.Close()
	transport := ts.Client().Transport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = 8
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport}
	send := func(method, path, body string) int {
		var r io.Reader
		if body != "" {
			r = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, ts.URL+path, r)
		req.Header.Set("Authorization", "Bearer "+testKey)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	var next atomic.Int64
	b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	cpu := processCPU()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if !op(send, int(next.Add(1)%benchIDs)) {
				b.Error("request failed")
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
