// Package campaign holds what a campaign's runs mean taken together: the
// count of a run's report rows into its summary (what "applied", "this
// run", "failed earlier" and "memberships touched" mean), whether an
// earlier run already finished the campaign so that running it again need
// check nothing, and the record that marks it finished.
//
// It decides nothing about a row (the engine, internal/batch, does), reads
// no input and prints nothing (the command does).
package campaign
