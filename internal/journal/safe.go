package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// UnsafeError reports a state directory, journal or lock file that bulk
// refuses to use because someone other than the user could have put it
// there or could change it: a symbolic link, a file with other hard links,
// something owned by another user or writable by group or others, or not
// a directory (or regular file) at all. Running again cannot help: the
// operator has to fix the file or choose another state directory.
type UnsafeError struct {
	What string // "state directory", "journal" or "lock file"
	Path string
	Why  string // what is wrong, e.g. "is owned by uid 1001, not you (uid 1000)"
	Fix  string // what to do about it
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("%s %s %s: %s", e.What, e.Path, e.Why, e.Fix)
}

const (
	whatDir     = "state directory"
	whatJournal = "journal"
	whatLock    = "lock file"

	fixDir = "use a directory of your own with --state"
)

// maxLinks bounds the symbolic links followed to the state directory, as
// the kernel bounds them (ELOOP).
const maxLinks = 40

// stateDir is an open, checked state directory. Its files are opened
// relative to it (openat), so the directory checked is the directory used.
type stateDir struct {
	path string
	f    *os.File
}

// openStateDir opens and checks the state directory path. With create it
// first creates it (mode 0700) if missing; without, a missing directory
// is (nil, nil).
//
// The directory may be reached through symbolic links, but each must be
// the user's own (anyone else could point it elsewhere between two runs),
// and the directory they lead to must be the user's and writable by no one
// else.
func openStateDir(path string, create bool) (*stateDir, error) {
	final, err := resolveDir(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		if err = mkdirAll(final); err != nil {
			return nil, err
		}
		final, err = resolveDir(path)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && !create {
			return nil, nil
		}
		return nil, err
	}
	// O_NOFOLLOW: the entry resolveDir found is a directory; if it has been
	// swapped for a link since, refuse rather than follow it.
	fd, err := openRetry(func() (int, error) {
		return unix.Open(final, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	})
	if err != nil {
		if errors.Is(err, unix.ELOOP) || errors.Is(err, unix.ENOTDIR) {
			return nil, &UnsafeError{What: whatDir, Path: path, Why: "changed while it was being opened", Fix: fixDir}
		}
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if err := checkOwner(whatDir, path, &st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &stateDir{path: path, f: os.NewFile(uintptr(fd), path)}, nil
}

// resolveDir follows the symbolic links from path to the entry they end
// at, refusing a link not owned by the user, and returns that entry's path
// once it is known to be a directory. A missing entry is returned with an
// error satisfying errors.Is(err, fs.ErrNotExist).
func resolveDir(path string) (string, error) {
	euid := os.Geteuid()
	p := trimSlash(filepath.Clean(path))
	for links := 0; ; links++ {
		var st unix.Stat_t
		if err := lstat(p, &st); err != nil {
			return p, &fs.PathError{Op: "lstat", Path: p, Err: err}
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			return p, nil
		case unix.S_IFLNK:
		default:
			return p, &UnsafeError{What: whatDir, Path: path, Why: "is " + describe(uint32(st.Mode)) + ", not a directory", Fix: fixDir}
		}
		if int(st.Uid) != euid {
			return p, &UnsafeError{What: whatDir, Path: path,
				Why: fmt.Sprintf("is reached through a symbolic link (%s) owned by uid %d, not you (uid %d)", p, st.Uid, euid),
				Fix: fixDir}
		}
		if links == maxLinks {
			return p, &UnsafeError{What: whatDir, Path: path, Why: "is reached through too many symbolic links", Fix: fixDir}
		}
		target, err := os.Readlink(p)
		if err != nil {
			return p, err
		}
		if !filepath.IsAbs(target) {
			// Relative to the link's directory as the kernel sees it: no
			// lexical clean, which would get "x/.." wrong when x is a link.
			if i := strings.LastIndexByte(p, '/'); i >= 0 {
				target = p[:i+1] + target
			}
		}
		p = trimSlash(target)
	}
}

func trimSlash(p string) string {
	if t := strings.TrimRight(p, "/"); t != "" {
		return t
	}
	return p
}

func lstat(p string, st *unix.Stat_t) error {
	for {
		if err := unix.Lstat(p, st); err != unix.EINTR {
			return err
		}
	}
}

func openRetry(open func() (int, error)) (int, error) {
	for {
		fd, err := open()
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// checkOwner refuses st unless it is owned by the effective user and
// writable by no one else. Root is no exception.
func checkOwner(what, path string, st *unix.Stat_t) error {
	euid := os.Geteuid()
	if int(st.Uid) != euid {
		fix := fixDir
		if what != whatDir {
			fix = "chown it to yourself if it is yours, or " + fixDir
		}
		return &UnsafeError{What: what, Path: path, Why: fmt.Sprintf("is owned by uid %d, not you (uid %d)", st.Uid, euid), Fix: fix}
	}
	if perm := uint32(st.Mode) & 0o777; perm&0o022 != 0 {
		fix := "check it, then run chmod go-w on it"
		if what == whatDir {
			fix = "check what is in it, then run chmod go-w on it, or " + fixDir
		}
		return &UnsafeError{What: what, Path: path, Why: fmt.Sprintf("is writable by group or others (mode %#o)", perm), Fix: fix}
	}
	return nil
}

// open opens name in the state directory without following a symbolic
// link (flag gets O_NOFOLLOW; O_CREATE makes it mode 0600), and refuses a
// file that is not a regular file, is owned by someone else, is writable
// by group or others, or has other hard links. A missing file is an error
// satisfying errors.Is(err, fs.ErrNotExist).
func (d *stateDir) open(name, what string, flag int) (*os.File, error) {
	path := filepath.Join(d.path, name)
	// O_NONBLOCK: opening a named pipe must not wait for a writer; it is
	// refused below, and cleared for the regular file that is accepted.
	fd, err := openRetry(func() (int, error) {
		return unix.Openat(int(d.f.Fd()), name, flag|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0o600)
	})
	if err != nil {
		switch {
		case errors.Is(err, unix.ELOOP):
			return nil, &UnsafeError{What: what, Path: path, Why: "is a symbolic link, which bulk does not follow",
				Fix: "put the file itself in its place if it is yours, or remove the link"}
		case errors.Is(err, unix.EISDIR), errors.Is(err, unix.ENXIO), errors.Is(err, unix.ENODEV):
			return nil, notRegular(what, path, d.describe(name))
		}
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	if err := checkFile(what, path, &st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "fcntl", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

func checkFile(what, path string, st *unix.Stat_t) error {
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return notRegular(what, path, describe(uint32(st.Mode)))
	}
	if err := checkOwner(what, path, st); err != nil {
		return err
	}
	if n := uint64(st.Nlink); n > 1 {
		return &UnsafeError{What: what, Path: path, Why: fmt.Sprintf("has %d hard links, so another name can change it", n),
			Fix: "replace it with a copy of itself (cp, then mv the copy over it)"}
	}
	return nil
}

func notRegular(what, path, kind string) error {
	return &UnsafeError{What: what, Path: path, Why: "is " + kind + ", not a regular file", Fix: "move it out of the way"}
}

// describe names the type of the state directory's entry name.
func (d *stateDir) describe(name string) string {
	var st unix.Stat_t
	if err := unix.Fstatat(int(d.f.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return "something else"
	}
	return describe(uint32(st.Mode))
}

func describe(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return "a regular file"
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFLNK:
		return "a symbolic link"
	case unix.S_IFIFO:
		return "a named pipe"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFBLK:
		return "a block device"
	}
	return "something else"
}

// sync fsyncs the directory, making the entries created in it durable.
func (d *stateDir) sync() error {
	if err := d.f.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", d.path, err)
	}
	return nil
}

func (d *stateDir) close() error { return d.f.Close() }
