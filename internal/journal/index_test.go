package journal

import (
	"bulk/internal/outcome"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestIndexBuild(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	tests := []struct {
		name string
		n    int
		key  func(i int) uint64
	}{
		{"empty", 0, nil},
		{"one", 1, func(int) uint64 { return 42 }},
		{"random", 10000, func(int) uint64 { return rng.Uint64() }},
		{"many repeats", 10000, func(int) uint64 { return rng.Uint64N(300) << 50 }},
		{"alike keys", 5000, func(int) uint64 { return rng.Uint64N(1 << 40) }},
		{"extremes", 4, func(i int) uint64 { return []uint64{0, ^uint64(0), 0, ^uint64(0)}[i] }},
		{"more than a block", 3*blockLen + 7, func(int) uint64 { return rng.Uint64N(100000) * 0x9E3779B97F4A7C15 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := make(map[uint64]uint64)
			var ib indexBuilder
			var batch []indexEntry
			for i := range tt.n {
				e := indexEntry{tt.key(i), uint64(makeLoc(int64(i), kindIntent, 0))}
				want[e.key] = e.val // the last one wins
				batch = append(batch, e)
				if len(batch) == 100 || i == tt.n-1 {
					ib.add(batch)
					batch = batch[:0]
				}
			}
			x := ib.build()
			if got := x.len(); got != len(want) {
				t.Errorf("len() = %d, want %d", got, len(want))
			}
			for k, v := range want {
				if got, ok := x.get(k); !ok || uint64(got) != v {
					t.Fatalf("get(%#x) = %d, %v, want %d", k, got, ok, v)
				}
			}
			for range 1000 {
				k := rng.Uint64()
				if _, in := want[k]; !in {
					if v, ok := x.get(k); ok {
						t.Fatalf("get(%#x) = %d for a key never added", k, v)
					}
				}
			}
			// Keys set after the build: old ones are updated, new ones added.
			for k := range want {
				x.set(k, 7<<offsetShift|kindIntent, true)
				want[k] = 7<<offsetShift | kindIntent
				break
			}
			for i := range 10 {
				k := rng.Uint64()
				x.set(k, loc(i+1), true)
				want[k] = uint64(i) + 1
			}
			if got := x.len(); got != len(want) {
				t.Errorf("len() after set = %d, want %d", got, len(want))
			}
			for k, v := range want {
				if got, ok := x.get(k); !ok || uint64(got) != v {
					t.Fatalf("after set: get(%#x) = %d, %v, want %d", k, got, ok, v)
				}
			}
		})
	}
}

// TestLoadAgreesWithWalk loads journals of random lines, cutting them into
// chunks of many sizes, and checks the result against a line-by-line
// reading: the same records, the same torn tail, the same errors.
func TestLoadAgreesWithWalk(t *testing.T) {
	defer func(n int) { chunkSize = n }(chunkSize)
	rng := rand.New(rand.NewPCG(7, 8))
	for iter := range 300 {
		var content string
		w := newLineWriter()
		latest := make(map[string]Record) // the latest intent of each key
		run := 0
		for i := range rng.IntN(30) {
			id := fmt.Sprintf("mem_%d", rng.IntN(20))
			var r Record
			switch k := rng.IntN(40); {
			case k == 0:
				content += "garbage\n"
				continue
			case k == 1:
				content += "\n"
				continue
			case k < 5:
				run++
				r = Record{Type: TypeRun, Run: fmt.Sprint("r", run), SHA256: fmt.Sprint("s", run)}
			case k < 20:
				r = realIntent(fmt.Sprint("r", run), fmt.Sprint("s", run), id, i)
				latest[id] = r
			default:
				in, ok := latest[id]
				if !ok {
					in = realIntent("r0", "", id, i)
				}
				r = realOutcome(in, outcome.Applied, rng.IntN(2) == 0)
				if rng.IntN(10) == 0 {
					r.Err = string(make([]byte, rng.IntN(3000))) // escaped: a long line
				}
			}
			content += w.line(r)
		}
		switch rng.IntN(4) {
		case 0:
			good := w.line(realIntent("r9", "s9", "mem_99", 99))
			content += good[:rng.IntN(50)+1] // torn
		case 1:
			content += "garbage\n"
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "c.journal"), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		want := walkReference(t, dir)
		for _, size := range []int{1, 7, 64, 333, 4096, 512 << 10} {
			chunkSize = size
			j, err := Open(dir, "c", Options{ReadOnly: true})
			got := loadResult{err: errString(err)}
			if err == nil {
				got.size, got.records, got.keys = j.size, j.Stats().Records, j.Len()
				got.latest = latestRecords(t, j, want.latest)
				j.Close()
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("file %d, chunks of %d: load gave\n%+v\nwalk gave\n%+v\nfile:\n%s", iter, size, got, want, content)
			}
		}
	}
}

type loadResult struct {
	err           string
	size          int64
	records, keys int
	latest        map[string]Record
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// walkReference reads the journal in dir line by line: an outcome that
// completes its intent completes the key's record before it.
func walkReference(t *testing.T, dir string) loadResult {
	f, err := os.Open(filepath.Join(dir, "c.journal"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var res loadResult
	res.latest = make(map[string]Record)
	var ctx runCtx
	end, n, err := walk(f, f.Name(), -1, func(line []byte, _ int64) error {
		d, err := decodeLine(line, "")
		if err != nil {
			return badRecord{err}
		}
		k := d.Action + " " + d.ID
		switch {
		case d.Type == TypeRun:
			ctx = contextOf(&d.Record)
			return nil
		case d.partial:
			prev := res.latest[k]
			if err := d.complete(&prev); err != nil {
				t.Fatalf("the test wrote an outcome without its intent: %s", line)
			}
		}
		d.place(ctx)
		res.latest[k] = d.Record
		return nil
	})
	if err != nil {
		return loadResult{err: err.Error()}
	}
	res.size, res.records, res.keys = end, n, len(res.latest)
	return res
}

func latestRecords(t *testing.T, j *Journal, keys map[string]Record) map[string]Record {
	got := make(map[string]Record)
	for k := range keys {
		action, id, _ := strings.Cut(k, " ")
		r, ok, err := j.Lookup(action, id)
		if err != nil || !ok {
			t.Fatalf("Lookup(%s, %s) = %v, %v", action, id, ok, err)
		}
		got[k] = r
	}
	return got
}
