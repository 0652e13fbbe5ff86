// Package report writes what a run leaves behind for the operator: the
// report (one row per input row, CSV or JSON lines) and the summary JSON
// beside it.
//
// It owns the file names (DefaultPath, SummaryPath), the column order and
// header, the formatting of every cell (RFC 3339 UTC timestamps, empty
// cells for unknown values), the neutralisation of CSV cells that a
// spreadsheet would read as a formula, and durable writing: every file is
// created with mode 0600 as a hidden temporary file in the destination's
// directory, fsynced and renamed over the destination, so that a reader
// only ever sees the old file or the complete new one. The temporary file's
// name carries its writer's pid, so that RemoveStaleTemps can clear what a
// killed writer left without touching a live one's.
//
// It must not decide outcomes: rows arrive with their status, dates and
// counts already settled, and are written as given, in the order given. It
// must not touch the network, and nothing it writes or logs may contain the
// API key; it logs nothing at all.
package report
