package main

import (
	"runtime/debug"
	"strings"
)

// version is bulk's release; the build adds the commit it was built from.
const version = "0.2.0"

// versionText is what --version prints: "bulk 0.2.0 (commit 0123abcd,
// built 2026-12-01T00:00:00Z, go1.26.8)", with "+modified" after a commit
// that had uncommitted changes, and "commit unknown" when the binary was
// built outside a repository (go run, a source tarball).
func versionText() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "bulk " + version
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	parts := []string{"commit unknown"}
	if rev := settings["vcs.revision"]; rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if settings["vcs.modified"] == "true" {
			rev += "+modified"
		}
		parts[0] = "commit " + rev
		if t := settings["vcs.time"]; t != "" {
			parts = append(parts, "committed "+t)
		}
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		parts = append(parts, "module "+v)
	}
	parts = append(parts, info.GoVersion)
	return "bulk " + version + " (" + strings.Join(parts, ", ") + ")"
}
