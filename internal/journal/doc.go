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
// The journal is JSON lines: one flat object per line (strings, integers,
// booleans and null only), appended in the order things happened and never
// rewritten. Every record has
//
//	t    "run", "intent" or "outcome"
//	at   when it was written, Unix milliseconds
//	run  the id of the run that wrote it
//
// A run record starts each run:
//
//	{"t":"run","at":1767225600000,"run":"R","file":"nov.csv","sha256":"<input SHA-256>","pid":4242,
//	 "api":"current","version":"2026-11-17"}
//
// api and version name the API the run spoke ("current" with its
// Api-Version-Date, or "v2"). The first run record starts the campaign,
// and its API and version are the campaign's (see Origin); a journal
// written before bulk recorded them is a v2 campaign.
//
// A run that ended with every row of its input applied or skipped ends with
// a second run record, naming the report it wrote and that report's
// SHA-256 (see OpenTail):
//
//	{"t":"run","at":…,"run":"R","file":"nov.report.csv","sha256":"<report SHA-256>",
//	 "input":"<input SHA-256>","status":"complete"}
//
// An intent record is written, and fsynced, before an add-free-days request
// is sent, and before a metadata replace that must clear the metadata
// first (a crash between the two requests leaves the intent, and the next
// run sends the row again); other metadata requests have none, since
// sending them again does no harm:
//
//	{"t":"intent","at":…,"run":"R","action":"add_free_days","id":"mem_1","line":2,
//	 "input":"<input SHA-256>","days":7,"payload":"<body SHA-256>","key":"<Idempotency-Key>",
//	 "before":true,"prev_start":1764633600,"prev_end":1767225600,"start":null,"end":null,
//	 "mstatus":"active"}
//
// An outcome record is written once the request's fate is known, or known to
// be unknowable:
//
//	{"t":"outcome","at":…,"run":"R","action":"add_free_days","id":"mem_1","line":2,…,
//	 "status":"applied","http":200,"prev_start":1764633600,"prev_end":1767225600,
//	 "start":1764633600,"end":1767830400,"attempts":1,"mstatus":"active"}
//
// action is "add_free_days" or "update_metadata"; id is the membership; line
// is the row's line in the input of the run that wrote the record, and input
// that input's SHA-256. status is "applied", "failed", "unknown" (sent, but
// the result could not be established) or "not_applied" (established not to
// have taken effect). http is the last HTTP status and err the error text,
// when there was one. The four date fields are Unix seconds and are always
// present in intents and outcomes: start and end bound the membership's
// period, end being the date free days move (the Current API's
// current_period_start and current_period_end; v2's renewal_period_start,
// and renewal_period_end or else expires_at); prev_* before the change,
// start and end after it. null means not known, unless "before":true says
// prev_* were read from the API, where null means the membership had no
// such date. mstatus is the membership's status as last read or returned,
// and warn what the operator was warned of. Journals written before bulk
// spoke the Current API have prev_expires_at, prev_renewal_period_end,
// expires_at and renewal_period_end instead: they are read as prev_end and
// end, with the start unknown. Other fields are left out when
// empty, zero or false. Strings are escaped as encoding/json escapes them
// (so "<" appears as \u003c). For one action on one membership, the latest
// record in the file is its current state.
//
// Examples:
//
//	jq -c 'select(.t=="outcome" and .status=="unknown")' NAME.journal
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
// Nothing of a record stays in memory. The index holds, per key, the 64-bit
// FNV-1a hash of action + "\x00" + id and the offset of the key's latest
// record, about 21 bytes; Lookup reads that record back from the file and
// checks that it is the one asked for. Open parses the file in parallel
// chunks with a decoder made for this format (encoding/json decodes
// whatever it does not expect), and Lookup reads ahead while lookups
// follow the file's order, as a resume's do.
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
// The index holds, per membership, its id and its earliest entry, and the
// earliest by another campaign when there is one, in a few flat slices:
// about 55 bytes a membership with ids of 17 bytes. Opening a ledger of a
// million entries takes a few hundred milliseconds.
//
// # What this package does not do
//
// It does not talk to the network, decide what a record means for a row,
// or choose outcomes: it stores what its caller tells it, and returns it.
package journal
