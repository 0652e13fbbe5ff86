// Package journal keeps a campaign's journal: the durable, append-only
// record of every request bulk has sent or was about to send, which is what
// lets an interrupted campaign resume without extending a membership twice.
//
// # Files
//
// A campaign NAME (letters, digits, '.', '_', '-'; not starting with a dot)
// owns two files in the state directory, which is created with mode 0700:
//
//	NAME.journal  the journal, mode 0600
//	NAME.lock     the campaign lock, mode 0600
//
// and the state directory has one ledger, shared by its campaigns (see
// Ledger below):
//
//	ledger        mode 0600
//
// # Safety
//
// Losing or truncating a journal would grant every row again, so bulk uses
// a state directory, journal and lock file only if no one else could have
// put them there or could change them. It refuses, with an *UnsafeError
// saying what is wrong and what to do:
//
//   - a state directory that is not a directory, is not owned by the
//     effective user, or is writable by group or others (mode & 022);
//     root is no exception. It may be reached through symbolic links, but
//     only the user's own: another user's link could be pointed elsewhere
//     between two runs, at a directory with no journal. Ancestors of the
//     state directory are not checked;
//   - a journal, lock file or ledger that is a symbolic link (they are opened
//     with O_NOFOLLOW, relative to the checked directory), not a regular
//     file (a named pipe, a directory), not owned by the effective user,
//     writable by group or others, or has more than one hard link.
//
// Nothing is truncated or written before these checks pass, so a refused
// file is left as it was. Read-only, a missing state directory or journal
// is still an empty journal.
//
// # Journal format
//
// The journal is JSON lines: one flat object per line (strings, integers
// and booleans), appended in the order things happened and never
// rewritten. Every record has
//
//	t    "run", "i" (intent) or "o" (outcome)
//	at   when it was written, Unix milliseconds
//
// A run record starts each run:
//
//	{"t":"run","at":1767225600000,"run":"R","file":"nov.csv","sha256":"<input SHA-256>","pid":4242,
//	 "api":"current","version":"2026-11-17"}
//
// run is the run's id; api and version name the API the run spoke
// ("current" with its Api-Version-Date, or "v2"). The first run record
// starts the campaign, and its API and version are the campaign's (see
// Origin); a journal written before bulk recorded them is a v2 campaign.
//
// A run that ended with every row of its input applied or skipped ends with
// a second run record, naming the report it wrote and that report's
// SHA-256 (see OpenTail):
//
//	{"t":"run","at":…,"run":"R","file":"nov.report.csv","sha256":"<report SHA-256>",
//	 "api":"current","version":"2026-11-17","input":"<input SHA-256>","status":"complete"}
//
// An intent is written, and fsynced, before an add-free-days request is
// sent, and before a metadata replace that must clear the metadata first
// (a crash between the two requests leaves the intent, and the next run
// sends the row again); other metadata requests have none, since sending
// them again does no harm. An outcome is written once the request's fate
// is known, or known to be unknowable. They hold what resuming needs, and
// leave out what their place in the file says:
//
//	{"t":"i","at":…,"id":"mem_1","l":2,"d":7,"b":true,"ps":1764633600,"pe":1767225600,"n":1,"ms":"active"}
//	{"t":"o","at":…,"id":"mem_1","st":"applied","h":200,"s":1764633600,"e":1767830400}
//
// Their fields:
//
//	a     the action, "update_metadata"; left out for "add_free_days"
//	id    the membership
//	run   the run that wrote it; left out when it is that of the run record before it
//	in    the SHA-256 of that run's input; left out when it is that of the run
//	      record before it (sha256 in the record that starts a run, input in the one that ends it)
//	l     the row's line in that input
//	d     free days
//	k     the Idempotency-Key, where the caller records it (bulk does for metadata
//	      rows: an add-free-days row's key follows from its days)
//	st    the outcome: "applied", "failed", "unknown" (sent, but the result could
//	      not be established) or "not_applied" (established not to have taken effect)
//	h     the last HTTP status, and err the error text, when there was one
//	b     true when ps and pe were read from the API: then a missing one means the
//	      membership had no such date, where otherwise it means not known
//	ps    the period's start before the change, Unix seconds
//	pe    the period's end before it: the date free days move
//	s, e  the same two after the change
//	n     requests sent for the row so far
//	ms    the membership's status as last read or returned
//	w     what the operator was warned of
//
// The dates are the Current API's current_period_start and
// current_period_end; v2's renewal_period_start, and renewal_period_end or
// else expires_at. A field that is empty, zero or false is left out (but
// for l, which a record either has or leaves to its intent), and so is a
// date not known.
//
// An outcome without l completes the record before it of the same action
// and membership, its intent: it has the intent's l, d, k, b, ps, pe and
// n, and its ms unless it has its own. Append writes an outcome so when
// the intent before it is one the same Journal appended and the outcome
// says the same of the row; otherwise (a metadata row sent without an
// intent, the outcome of an earlier run's intent, bulk settle) the outcome
// has every field. An add-free-days row thus takes about 245 bytes of
// journal, its intent and its outcome, with ids of 20 characters and line
// numbers of 7 digits. For one action on one membership, the latest
// record in the file is its current state. Strings are escaped as
// encoding/json escapes them (so "<" appears as \u003c).
//
// Journals written before this form spell every field of every intent and
// outcome out, with "t":"intent" and "t":"outcome", the run and input on
// each, and the long names: action, line, input, days, payload (no longer
// read), key, status, http, before, prev_start, prev_end, start, end,
// attempts, mstatus, warn. Those written before bulk spoke the Current API
// have prev_expires_at, prev_renewal_period_end, expires_at and
// renewal_period_end instead of the four dates: they are read as prev_end
// and end, with the start unknown. Such lines read as they always did, and
// a journal may hold both forms: a campaign an older bulk started goes on
// in this one.
//
// Examples:
//
//	jq -c 'select(.t=="o" and .st=="unknown")' NAME.journal
//	grep '"id":"mem_1"' NAME.journal
//
// # Durability
//
// Every Append writes its whole line with one write call before it returns,
// so a killed process loses nothing it appended. A durable append also
// waits for an fsync covering it: the caller appends each intent durably,
// so no request is sent unless its intent survives a power loss. Outcomes
// need not wait: they are fsynced by the next durable append or within
// Options.SyncEvery (200ms by default). Concurrent durable appends share
// fsyncs (group commit). A failed write or fsync makes every later Append
// fail: the journal can no longer promise anything.
//
// # Torn tail
//
// A crash can leave the last line incomplete. On Open, a last line with no
// newline, or a last line that does not decode, is dropped: the file is
// truncated to the end of the last good record before anything is
// appended. An undecodable record anywhere else means the journal was
// damaged, not torn: Open refuses it with a *CorruptError naming the line,
// for an operator to inspect. A read-only Open ignores a torn tail and
// changes nothing.
//
// # Lock
//
// Open takes an exclusive flock on NAME.lock and then writes the holder's
// details into it: {"pid":4242,"host":"h","started":"2026-01-01T00:00:00Z",
// "campaign":"NAME"}. A second Open gets a *LockedError naming that holder.
// The kernel releases the lock when its holder exits, however it exits, so
// a stale lock file blocks nobody; it is never deleted, since deleting it
// would let two runs lock two different files. A read-only Open takes no
// lock, and may run beside a writer.
//
// # Memory and speed
//
// Nothing of a record stays in memory. The index holds, per key, the
// 64-bit FNV-1a hash of action + "\x00" + id, the offset of the key's
// latest record and, for an outcome that completes its intent, how far
// back the intent is: about 21 bytes a key. Lookup reads the record (and
// that intent) back from the file and checks that it is the one asked
// for. Open parses the file in parallel chunks, and Lookup reads ahead
// while lookups follow the file's order, as a resume's do. Lines in the
// form Append writes are read by a decoder made for that form alone
// (fastLine); encoding/json reads every other line. Opening the journal of
// a finished campaign of a million add-free-days rows (234 MiB) and looking
// each row up takes about 1.5 s on two CPUs; with encoding/json alone it
// would take about 9 (BenchmarkOpen1M, BenchmarkOpen1MEncodingJSON).
//
// # Ledger
//
// A campaign's journal keeps one campaign from extending a membership
// twice; the ledger keeps the campaigns of one state directory from
// extending it once each. A renamed, moved or copied input starts a new
// campaign with a new journal, so only the ledger knows that its rows
// were granted before. OpenLedger reads it, Other answers whether another
// campaign than the asking one extended a membership, and InputRunBy
// whether another campaign ran an input with the same SHA-256.
//
// The ledger is JSON lines, one record per line, appended and never
// rewritten: an extension
//
//	{"id":"mem_1","c":"nov","d":7,"at":1767225600000}
//
// (membership, campaign, free days, Unix milliseconds when it was recorded)
// or an input a campaign ran
//
//	{"input":"<input SHA-256>","c":"nov","at":1767225600000}
//
// Strings are escaped as encoding/json escapes them. The campaign is
// written by name, not by a number given to it once: numbers would need
// the writers of different campaigns to agree on them, and a line that
// names its campaign can be read with grep alone. For one membership the
// earliest entry counts (the smallest at, then the first in the file),
// and a campaign's own entries never count against it.
//
// Every Record and RecordInput writes its whole line with one write call
// on a file opened with O_APPEND and returns once an fsync covers it;
// concurrent Records of one Ledger share fsyncs. Campaigns run at the same
// time by different processes append to the same ledger: O_APPEND keeps
// each line whole, and each append holds an exclusive flock on the ledger
// for its duration, so that cutting off a torn tail, or a line a full disk
// left half written, never cuts another process's line. Reading takes no
// lock. A Ledger answers from what the file held when it was opened and
// from its own Records: another process's later lines are in the file, but
// only the next OpenLedger sees them.
//
// As with the journal, a torn last line (no newline, or not decodable) is
// left out on open, and cut off by the next append before it writes; an
// undecodable line before the last is refused with a *CorruptError. The
// ledger's file is held to the journal's safety rules.
//
// A ledger of more than 4 MiB (about 60,000 entries) reads only its input
// lines on open, and its memberships at the first Other, Record or Len: a
// run that finds every row already done by its own campaign never asks,
// and is spared the seconds and the memory. A damaged membership line is
// then reported by that first question, and by every later one, as a
// *CorruptError: Other never answers "not extended" without having read
// the whole file.
//
// The index holds, per membership, the 64-bit FNV-1a hash of "\x00" + its id (hashKey with no action) and
// its earliest entry, in a slice sorted by hash: 24 bytes a membership,
// 26 MiB for the 950,000 memberships of a million entries; and, for the
// few that another campaign extended too, the earliest entry by another
// campaign. Two ids with the same hash would be taken for one membership:
// the second would be reported as already extended by the first's campaign
// and skipped, never extended twice. Among a million memberships the odds
// that any two collide are about one in 37 million. Lines are read with
// encoding/json: opening a ledger of a million entries and asking about one
// membership takes about two seconds (BenchmarkOpenLedger1M).
//
// # What this package does not do
//
// It does not talk to the network, decide what a record means for a row,
// or choose outcomes: it stores what its caller tells it, and returns it.
package journal
