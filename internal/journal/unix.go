//go:build !unix

package journal

// bulk runs on Unix systems only (Linux, macOS, the BSDs). What keeps a
// campaign from granting twice relies on them: flock on the campaign lock,
// O_NOFOLLOW and openat in the state directory, fsync of directories, and
// the signals a run stops on. Elsewhere the build stops here, naming why.
var _ = bulk_runs_on_unix_systems_only
