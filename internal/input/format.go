package input

import (
	"fmt"
	"path/filepath"
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
