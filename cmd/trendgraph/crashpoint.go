//go:build !crashpoints

package main

// crashpoint marks a point where the crash tests kill the process; it does nothing unless the
// binary is built with -tags crashpoints (see crashpoint_on.go).
func crashpoint(string) {}
