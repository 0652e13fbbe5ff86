package input

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
)

var (
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
)

// inputStream is the byte stream of an input file: hashed as it is read
// from the file, buffered, with a leading UTF-8 byte-order mark dropped.
type inputStream struct {
	raw   *hashReader
	br    *bufio.Reader
	empty bool // nothing but a byte-order mark, if that
	utf16 bool // a UTF-16 byte-order mark, or NUL bytes in the first line
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
	in.utf16 = bytes.HasPrefix(b, utf16LEBOM) || bytes.HasPrefix(b, utf16BEBOM) || nulInFirstLine(in.br)
	return in, nil
}

// nulInFirstLine reports whether the first line (as far as the buffer
// holds it) has a NUL byte, as text in UTF-16 without a byte-order mark
// does, and text in UTF-8 never does.
func nulInFirstLine(br *bufio.Reader) bool {
	b, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	return bytes.IndexByte(b, 0) >= 0
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
