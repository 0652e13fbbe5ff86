// Package batch owns the rows of a campaign: reading and validating the
// input file, and applying every row through a paced pool of workers.
//
// The engine (Engine.Run) decides, row by row, what may be sent: it asks
// the campaign journal what the campaign already did, reads a membership
// before adding free days to it, writes an intent to the journal before
// every POST and an outcome after it, and settles any request whose
// outcome is unknown by reading the membership back rather than sending it
// again blind. It paces every request (GETs included) with one shared
// limiter and pauses every worker on a 429.
//
// It must not print, parse flags or write the report file itself: it hands
// each row's outcome, in input order, to the caller.
package batch
