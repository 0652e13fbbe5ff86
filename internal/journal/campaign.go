package journal

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// maxCampaignLen keeps "<campaign>.journal" well within file name limits.
const maxCampaignLen = 200

// CheckCampaign reports whether name can be used as a campaign name: it
// becomes part of file names, so it must be non-empty, at most 200
// characters of [A-Za-z0-9._-], and must not start with a dot.
func CheckCampaign(name string) error {
	switch {
	case name == "":
		return errors.New("campaign name is empty")
	case strings.ContainsAny(name, `/\`) || strings.ContainsRune(name, filepath.Separator):
		return fmt.Errorf("campaign name %q contains a path separator", name)
	case name[0] == '.':
		return fmt.Errorf("campaign name %q starts with a dot", name)
	case len(name) > maxCampaignLen:
		return fmt.Errorf("campaign name is longer than %d characters", maxCampaignLen)
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("campaign name %q contains %q: only letters, digits, '.', '_' and '-' are allowed", name, c)
		}
	}
	return nil
}
