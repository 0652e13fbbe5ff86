package batch

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// Format is the encoding of an input file.
type Format string

const (
	CSV   Format = "csv"
	JSONL Format = "jsonl"
)

// FormatOf tells the format of the file at path from its extension (.csv or
// .jsonl, in any case). A non-empty override ("csv" or "jsonl") wins.
func FormatOf(path, override string) (Format, error) {
	switch override {
	case "":
	case string(CSV), string(JSONL):
		return Format(override), nil
	default:
		return "", fmt.Errorf("unknown input format %q (want csv or jsonl)", override)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return CSV, nil
	case ".jsonl":
		return JSONL, nil
	}
	return "", fmt.Errorf("cannot tell the format of %s from its extension (want .csv or .jsonl)", path)
}

// Limits on the input file and its values.
const (
	MaxProblems = 100 // problems listed in a Scan; the rest are only counted

	maxLineBytes   = 1 << 20 // longest line (JSONL) or record (CSV)
	maxIDLen       = 64
	minDays        = 1
	maxDays        = 1095
	maxMetaKeys    = 50
	maxKeyRunes    = 100
	maxStringRunes = 500
	maxExtraKeys   = 256 // distinct carried keys over a JSONL file
)

// Problem is one reason an input file cannot be run, at a line of it.
type Problem struct {
	File string
	Line int
	Msg  string
}

// String formats the problem as FILE:LINE: message.
func (p Problem) String() string { return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg) }

// ProblemError is a Problem met while streaming rows (Rows.Next): the file
// no longer matches what was checked.
type ProblemError struct{ Problem }

func (e *ProblemError) Error() string { return e.Problem.String() }

// rawRow is one input row as decoded, before its values are checked.
type rawRow struct {
	line           int
	id, days, meta rawValue
	extra          []string // aligned with the decoder's carried names
	probs          []string // problems found while decoding; the values are not checked then
	jsonValues     bool     // values are JSON text (JSONL) rather than CSV cells
}

// rawValue is a value as written: a CSV cell, or the JSON text of a JSONL
// member. set is false when the cell is empty or the key absent.
type rawValue struct {
	text string
	set  bool
}

// decoder turns an input stream into rawRows, in file order. After a
// problem that makes the rest of the file unreadable it returns io.EOF.
type decoder interface {
	next() (rawRow, error)
	carried() []string // names of the carried columns or keys, so far
}

// newDecoder returns the decoder for the format. With fixed set, extra is
// the complete list of carried names (as a scan found them) and anything
// else is a problem; otherwise names are collected as they appear.
func newDecoder(in *inputStream, f Format, extra []string, fixed bool) (decoder, error) {
	switch f {
	case CSV:
		return newCSVDecoder(in, extra, fixed), nil
	case JSONL:
		return newJSONLDecoder(in, extra, fixed), nil
	}
	return nil, fmt.Errorf("unknown input format %q", f)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// inputStream is the byte stream of an input file: hashed as it is read
// from the file, buffered, with a leading byte-order mark dropped.
type inputStream struct {
	raw   *hashReader
	br    *bufio.Reader
	empty bool // nothing but a byte-order mark, if that
}

func newInputStream(r io.Reader) (*inputStream, error) {
	raw := &hashReader{r: r, h: sha256.New()}
	in := &inputStream{raw: raw, br: bufio.NewReaderSize(raw, 64<<10)}
	b, err := in.br.Peek(len(utf8BOM))
	if err != nil && err != io.EOF {
		return nil, err
	}
	if bytes.Equal(b, utf8BOM) {
		in.br.Discard(len(utf8BOM))
	}
	if _, err := in.br.Peek(1); err == io.EOF {
		in.empty = true
	} else if err != nil {
		return nil, err
	}
	return in, nil
}

// drain reads what is left of the file into the hash.
func (in *inputStream) drain() error {
	_, err := io.Copy(io.Discard, in.raw)
	return err
}

// sum is the hex SHA-256 of the bytes read from the file so far.
func (in *inputStream) sum() string { return hex.EncodeToString(in.raw.h.Sum(nil)) }

type hashReader struct {
	r io.Reader
	h hash.Hash
}

func (hr *hashReader) Read(p []byte) (int, error) {
	n, err := hr.r.Read(p)
	hr.h.Write(p[:n])
	return n, err
}

// shortQuote quotes s for a message, in ASCII (so look-alike letters show
// as escapes), cut to a readable length.
func shortQuote(s string) string {
	return strconv.QuoteToASCII(cut(s))
}

// cut shortens s to at most 40 runes, marking the cut.
func cut(s string) string {
	n := 0
	for i := range s {
		if n == 40 {
			return s[:i] + "..."
		}
		n++
	}
	return s
}
