//go:build !unix

package report

// processAlive cannot tell here: every process counts as alive, so that no
// temporary file named with a pid is ever removed.
func processAlive(pid int) bool { return true }
