// Package batch is the engine of a campaign: it applies every validated
// row (input.Row) through a paced pool of workers, rehearses a run for
// --plan, selects memberships for a campaign file, and names each row's
// Idempotency-Key. Reading and checking the input file belong to
// internal/input.
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
// It must not print, parse flags, read the input file or write the report
// file itself: it takes rows from a RowSource and hands each row's
// outcome, in input order, to the caller.
package batch
