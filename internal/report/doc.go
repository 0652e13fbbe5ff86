// Package report writes what a run leaves behind for the operator: the
// report (one row per input row, CSV or JSON lines), the summary JSON
// beside it, the retry file of the rows that failed or are unknown, and
// the campaign page.
//
// It owns the file names (DefaultPath, SummaryPath, RetryPath, PagePath),
// the column order and header, the formatting of every cell (RFC 3339 UTC
// timestamps, empty cells for unknown values), the neutralisation of
// report cells that a spreadsheet would read as a formula, and durable
// writing: every file is created with mode 0600 as a hidden temporary file
// in the destination's directory, fsynced and renamed over the
// destination, so that a reader only ever sees the old file or the
// complete new one. The temporary file's name carries its writer's pid, so
// that RemoveStaleTemps can clear what a killed writer left without
// touching a live one's. JSON is written with encoding/json.
//
// Reasons groups the failed and unknown rows by HTTP status and a class of
// error message (reasons.go says how a class is made), for the summary,
// the final text and the page. The retry file (RetryWriter) holds those
// rows in the input's own format and column order, so that it is an input
// file again; a run with none removes it. The campaign page (Page) is one
// self-contained HTML file, rendered by html/template from the summary and
// from counts gathered as rows are written: it needs no network and no
// JavaScript, and keeps a bounded number of rows in memory whatever the
// size of the campaign.
//
// It must not decide outcomes: rows arrive with their status, dates and
// counts already settled, and are written as given, in the order given. It
// must not touch the network, and nothing it writes or logs may contain the
// API key; it logs nothing at all.
package report
