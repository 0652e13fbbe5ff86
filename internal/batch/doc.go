// Package batch owns the rows of a campaign: reading and validating the
// input file, and applying every row through a paced pool of workers.
//
// The engine (Engine.Run) decides, row by row, what may be sent: it asks
// the campaign journal what the campaign already did, reads a membership
// before changing it, writes an intent to the journal before every
// extension (and before a metadata replace that must clear first) and an
// outcome after it, and settles any request whose
// outcome is unknown by reading the membership back rather than sending it
// again blind. It paces every request (reads included): with a pacer per
// operation where the API limits each operation apart (the Current API),
// with one shared by all where it counts them together (v2); a 429 pauses
// every worker of the pacer that was refused. It knows the API only
// through client.API and its Dialect (does an update merge metadata? is
// the limit shared?), never by name.
//
// It must not print, parse flags or write the report file itself: it hands
// each row's outcome, in input order, to the caller.
package batch
