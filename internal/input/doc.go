// Package input owns a campaign's input file: telling its format (CSV or
// JSONL), reading it as a stream, and checking every row against the
// rules of the contract, so that nothing is sent from a file with a
// problem in it.
//
// ScanFile reads the whole file once and reports each problem as
// FILE:LINE: message, with counts by kind; Rows (Scan.Open) reads the file
// a second time through the same decoding and checks, so that what is sent
// is exactly what was checked. A validated row is a Row; Action names the
// membership operation it asks for.
//
// In a CSV header, a known column (membership_id, days, metadata) is
// matched ignoring case, surrounding spaces, and spaces against
// underscores: "Membership ID" is membership_id. Any other column, and any
// other JSONL key, is carried into the report as written. A problem that
// has a likely cause (a header near a known column, a file separated by
// semicolons, a UTF-16 file) says how to fix it.
//
// JSON is checked and walked with encoding/json; numbers keep the form
// they were written in and members their order.
//
// It must not touch the network or the campaign journal: whether a row
// was already applied, and sending it, belong to the engine
// (internal/batch).
package input
